// Renderer entry: connects to the shell's AppApi and mounts the app.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectApi } from './api/client.js';
import { ApiContext } from './hooks.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ApiContext.Provider value={connectApi()}>
      <App />
    </ApiContext.Provider>
  </StrictMode>,
);
