import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { env } from './config/env';
import { App } from './app/App';
import './styles.css';

void env; // validated on import: a bad REACT_APP_API_URL stops here with a clear message

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
