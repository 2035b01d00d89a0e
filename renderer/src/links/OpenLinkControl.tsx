import { useState, type FormEvent } from 'react';
import { requestOpen } from './link-state.ts';
import './links.css';

/** "Open link…" in the header: a field for a peerstreamer:// link someone shared. */
export function OpenLinkControl() {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (text.trim() === '') return;
    requestOpen(text);
    setOpen(false);
    setText('');
  };

  if (!open) {
    return (
      <button
        type="button"
        className="open-link-button"
        data-testid="open-link"
        onClick={() => setOpen(true)}
      >
        Open link…
      </button>
    );
  }
  return (
    <form className="open-link-form" onSubmit={submit} data-testid="open-link-form">
      <input
        type="text"
        autoFocus
        aria-label="Link to open"
        placeholder="peerstreamer://…"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setOpen(false);
        }}
        data-testid="open-link-input"
      />
      <button type="submit" data-testid="open-link-submit">
        Open
      </button>
    </form>
  );
}
