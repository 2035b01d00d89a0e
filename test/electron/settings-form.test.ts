import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../core/settings/settings-model.js';
import { checkSettingsPatch } from '../../core/settings/settings-rules.js';
import { draftFromSettings, patchFromDraft } from '../../renderer/src/api/settings-draft.js';

const saved = {
  ...defaultSettings('desk'),
  master: 'tcp://192.0.2.10:7999',
  uploadLimitBytesPerSecond: 2 * 2 ** 20,
};

describe('settings form <-> settings', () => {
  it('an untouched form sends nothing', () => {
    expect(patchFromDraft(draftFromSettings(saved), saved)).toEqual({});
  });

  it('sends only what changed, with numbers as numbers and empty meaning none/unlimited', () => {
    const draft = {
      ...draftFromSettings(saved),
      port: ' 8001 ',
      master: '  ',
      uploadLimitMiBps: '',
      cacheSizeGiB: '1500',
    };
    expect(patchFromDraft(draft, saved)).toEqual({
      port: 8001,
      master: null,
      uploadLimitBytesPerSecond: null,
      cacheSizeBytes: 1500 * 2 ** 30,
    });
  });

  it('sends a pasted publisher key trimmed and in lower case, and an emptied one as none', () => {
    const key = 'y2ujubzakzyluyjd7yv4mvevt2s2twz5bpb6xgtoc6hibs22sotq';
    const pasted = patchFromDraft(
      { ...draftFromSettings(saved), publisher: ` ${key.toUpperCase()}\n` },
      saved,
    );
    expect(pasted).toEqual({ publisher: key });
    const withKey = { ...saved, publisher: key };
    expect(patchFromDraft({ ...draftFromSettings(withKey), publisher: '' }, withKey)).toEqual({
      publisher: null,
    });
  });

  it('sends text that is not a number as typed, so the rules can say what is wrong with it', () => {
    const patch = patchFromDraft(
      { ...draftFromSettings(saved), port: 'eighty', uploadLimitMiBps: '5 MB/s' },
      saved,
    );
    expect(patch).toEqual({ port: 'eighty', uploadLimitBytesPerSecond: '5 MB/s' });
    const checked = checkSettingsPatch(saved, patch);
    expect(!checked.ok && checked.problems).toMatchObject({
      port: expect.stringMatching(/Port "eighty" is not valid/),
      uploadLimitBytesPerSecond: expect.stringMatching(/Upload limit must be a number of MiB\/s/),
    });
  });

  it('an emptied port is refused in words rather than read as 0', () => {
    const patch = patchFromDraft({ ...draftFromSettings(saved), port: '' }, saved);
    const checked = checkSettingsPatch(saved, patch);
    expect(!checked.ok && checked.problems.port).toMatch(/Port "" is not valid/);
  });

  it('takes a master with its node key, as a link names it, and refuses a key cut short', () => {
    const key = 'q@iRx-LA8pkRf[&^R%g3cS/$m7L>+-CnD7)F1M0u';
    const keyed = checkSettingsPatch(saved, { master: ` tcp://192.0.2.11:7999#${key} ` });
    expect(keyed.ok && keyed.settings.master).toBe(`tcp://192.0.2.11:7999#${key}`);
    const cut = checkSettingsPatch(saved, { master: 'tcp://192.0.2.11:7999#q@iRx' });
    expect(!cut.ok && cut.problems.master).toMatch(/is not an address: write tcp:\/\/host:port/);
  });
});
