/** The pages' entry: read the configuration (/config.json), then render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { loadConfig } from './config.ts';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

loadConfig().then(
  () =>
    root.render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  (err: unknown) =>
    root.render(
      <main id="main">
        <h1>Guest accounts are not available</h1>
        <p role="alert">{err instanceof Error ? err.message : String(err)} Try again later; if it keeps happening, contact HMS IT.</p>
      </main>,
    ),
);
