// The trace store UI: a small client-side router over /search, /trace/{id} and /dependencies.
import { renderSearch } from './search.js';
import { renderTrace } from './trace.js';
import { renderDependencies } from './deps.js';
import { setToken } from './api.js';
import { h, clear } from './util.js';

const main = document.getElementById('main');

async function route() {
  const url = new URL(window.location.href);
  clear(main);
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', url.pathname.startsWith(new URL(a.href).pathname)));
  try {
    const traceMatch = /^\/trace\/([^/]+)$/.exec(url.pathname);
    if (traceMatch) {
      document.title = `Trace ${traceMatch[1].slice(0, 7)} · traces`;
      await renderTrace(main, decodeURIComponent(traceMatch[1]));
    } else if (url.pathname === '/dependencies') {
      document.title = 'Service map · traces';
      await renderDependencies(main, url);
    } else {
      document.title = 'Search · traces';
      await renderSearch(main, url);
    }
  } catch (error) {
    if (error.status === 401) {
      const input = h('input', { type: 'password', id: 'token', placeholder: 'Bearer token' });
      const form = h('form', { class: 'token-form' }, h('p', {}, 'This trace store requires a token.'), input, h('button', { type: 'submit' }, 'Use token'));
      form.addEventListener('submit', (e) => { e.preventDefault(); setToken(input.value); route(); });
      clear(main).append(form);
    } else {
      main.append(h('p', { class: 'error-text', role: 'alert' }, `Something went wrong: ${error.message}`));
    }
  }
}

window.tracestoreNavigate = (path) => {
  window.history.pushState({}, '', path);
  route();
};

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-nav]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  window.tracestoreNavigate(link.getAttribute('href'));
});
window.addEventListener('popstate', route);
document.getElementById('lookup').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = document.getElementById('lookup-id').value.trim();
  if (/^[0-9a-fA-F]{1,32}$/.test(id)) window.tracestoreNavigate(`/trace/${id.toLowerCase()}`);
});
route();
