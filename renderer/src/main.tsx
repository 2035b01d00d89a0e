import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import './debug.ts';
import './styles.css';

createRoot(document.getElementById('root')!).render(<App />);
