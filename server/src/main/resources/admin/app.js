// The dashboard's shell: log-in, the admin API, page switching. Pages are in pages.js.
// The admin token lives in sessionStorage only: gone when the tab closes, never in a cookie or localStorage.
'use strict';

const TOKEN_KEY = 'nudge.adminToken';
const nudge = { pages: {}, current: null };

/** An element with text content (never HTML: data from the API is not trusted markup). */
function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

/** A table row of plain cells. */
function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.appendChild(c instanceof Node ? wrap('td', c) : el('td', c));
  return tr;
}

function wrap(tag, child) {
  const e = document.createElement(tag);
  e.appendChild(child);
  return e;
}

function fill(id, children) {
  const target = document.getElementById(id);
  target.replaceChildren(...children);
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** An error the API answered; `status` and the API's `error` text. */
class ApiFailure extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Calls the admin API; a 401 or 403 logs out and shows why on the log-in page. */
async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + token() }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers, cache: 'no-store' }));
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (response.status === 401 || response.status === 403) {
    logout((body && body.error) || 'the admin token was refused (' + response.status + ')');
    throw new ApiFailure(response.status, 'logged out', body);
  }
  if (!response.ok) {
    throw new ApiFailure(response.status, (body && body.error) || 'HTTP ' + response.status, body);
  }
  return body;
}

function showError(message) {
  document.getElementById('page-error').textContent = message || '';
}

/** Runs a page action and shows its failure on the page (a 401/403 has already logged out). */
async function guarded(action) {
  showError('');
  try {
    await action();
  } catch (e) {
    if (!(e instanceof ApiFailure && (e.status === 401 || e.status === 403))) showError(e.message);
  }
}

function logout(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (nudge.current && nudge.pages[nudge.current].leave) nudge.pages[nudge.current].leave();
  nudge.current = null;
  document.getElementById('app').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-error').textContent = reason || '';
  document.getElementById('token').focus();
}

async function login(event) {
  event.preventDefault();
  const typed = document.getElementById('token').value.trim();
  const error = document.getElementById('login-error');
  if (!typed) return;
  // GET /v1/rules needs the admin token: a cheap way to check the one typed before keeping it
  const response = await fetch('/v1/rules', { headers: { Authorization: 'Bearer ' + typed }, cache: 'no-store' });
  if (!response.ok) {
    let message = 'the server answered ' + response.status;
    try { message = (await response.json()).error || message; } catch (e) { /* keep the status */ }
    error.textContent = message;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, typed);
  document.getElementById('token').value = '';
  error.textContent = '';
  if (location.hash !== '#live') location.hash = '#live';
  start();
}

function start() {
  document.getElementById('login').hidden = true;
  document.getElementById('app').hidden = false;
  route();
}

/** Shows the page the URL's fragment names. */
function route() {
  if (!token()) return;
  const name = (location.hash || '#live').substring(1);
  const page = nudge.pages[name] ? name : 'live';
  if (nudge.current === page) return;
  if (nudge.current && nudge.pages[nudge.current].leave) nudge.pages[nudge.current].leave();
  nudge.current = page;
  for (const section of document.querySelectorAll('.page')) section.hidden = section.id !== 'page-' + page;
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  showError('');
  guarded(() => nudge.pages[page].enter());
}

/** A datetime-local input's value as an ISO instant, or null when empty. */
function isoOf(input) {
  const v = document.getElementById(input).value;
  return v ? new Date(v).toISOString() : null;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('login-form').addEventListener('submit', e => login(e).catch(x => {
    document.getElementById('login-error').textContent = 'cannot reach the server: ' + x.message;
  }));
  document.getElementById('logout').addEventListener('click', () => logout(''));
  window.addEventListener('hashchange', route);
  // both scripts are deferred, so pages.js has registered the pages by now
  setTimeout(() => (token() ? start() : logout('')), 0);
});
