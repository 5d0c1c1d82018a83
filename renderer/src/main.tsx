import './styles/app.css';
import './styles/layout.css';
import './styles/canvas.css';
import './styles/panels.css';
import './styles/review.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './App.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
