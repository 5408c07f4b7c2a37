/*! Nudge browser SDK: sends Segment-spec events to Nudge and shows the visitor's engagements. docs/sdk.md */
(function (w, d) {
  'use strict';
  // Filled in by the server that serves this file: its consent default, privacy signals and idle time.
  var SETTINGS = {/*SETTINGS*/};
  var VERSION = '1.0.0';
  var PURPOSES = { analytics: 'analytics', personalization: 'personalization', proactiveChat: 'proactive_chat',
    callback: 'callback' };
  var MAX_BATCH = 20, FLUSH_MS = 1000, MAX_HELD = 100, MAX_QUEUE = 500, RETRIES = 3;
  var previous = w.nudge;
  if (previous && previous.loaded) { return; }

  var script = d.currentScript || d.querySelector('script[data-write-key]');
  function attr(name) { return script ? script.getAttribute(name) : null; }
  var writeKey = attr('data-write-key');
  var host = (attr('data-host') || (script && script.src ? new URL(script.src, location.href).origin
    : location.origin)).replace(/\/$/, '');
  var idleMs = (Number(attr('data-idle-seconds')) || SETTINGS.idleSeconds || 60) * 1000;
  var autoPage = attr('data-auto-page') !== 'false';

  // "Why am I seeing this?" words in the browser's language, as the server was given them (docs/privacy.md)
  var WORDS = { 'why.button': 'Why am I seeing this?', 'why.dataUsed': 'What we used: {dataUsed}',
    'why.optOut': "Don't show me offers like this",
    'why.optedOut': "We won't show you offers like this again. You can change this in your privacy choices.",
    'why.privacy': 'Your privacy choices' };
  var TEXTS = SETTINGS.texts || {};
  var LANG = String(navigator.language || 'en').toLowerCase().split('-')[0];
  function words(key, values) {
    var s = (TEXTS[LANG] && TEXTS[LANG][key]) || (TEXTS.en && TEXTS.en[key]) || WORDS[key] || key;
    return s.replace(/\{(\w+)\}/g, function (m, k) { return values && k in values ? String(values[k]) : m; });
  }
  function warn(message) { if (w.console) { w.console.warn('nudge: ' + message); } }
  function tryTo(f) { return function () { try { return f.apply(this, arguments); } catch (e) { warn(e && e.message); } }; }
  function randomId() {
    if (w.crypto && w.crypto.randomUUID) { return w.crypto.randomUUID(); }
    var b = new Uint8Array(16); w.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }

  // First-party storage: localStorage, else a cookie, else memory only.
  var memory = {};
  var storage = {
    get: function (k) {
      try { var v = w.localStorage.getItem(k); if (v !== null) { return v; } } catch (e) { /* blocked */ }
      var m = d.cookie.match(new RegExp('(?:^|; )' + k.replace(/\./g, '\\.') + '=([^;]*)'));
      return m ? decodeURIComponent(m[1]) : (k in memory ? memory[k] : null);
    },
    set: function (k, v) {
      memory[k] = v;
      try { w.localStorage.setItem(k, v); return; } catch (e) { /* blocked */ }
      try { d.cookie = k + '=' + encodeURIComponent(v) + '; path=/; max-age=31536000; SameSite=Lax'; } catch (e) { /* none */ }
    }
  };
  function readJson(text) { try { return text ? JSON.parse(text) : null; } catch (e) { return null; } }

  var anonymousId = storage.get('nudge.anonymousId');
  if (!anonymousId) { anonymousId = randomId(); storage.set('nudge.anonymousId', anonymousId); }
  var userId = storage.get('nudge.userId');
  var choices = readJson(storage.get('nudge.consent')) || {};

  // ---- consent ----------------------------------------------------------------------------------
  function signalled() {
    return (SETTINGS.privacySignals || 'honour') === 'honour' && (navigator.globalPrivacyControl === true
      || navigator.doNotTrack === '1' || w.doNotTrack === '1');
  }
  function granted(purpose) {
    if (typeof choices[purpose] === 'boolean') {
      return choices[purpose] && !(signalled() && (purpose === 'analytics' || purpose === 'personalization'));
    }
    if (signalled() && (purpose === 'analytics' || purpose === 'personalization')) { return false; }
    return (SETTINGS.consentDefault || 'opt-in') === 'opt-out';
  }
  /** Events go out when some purpose is granted; analytics denied means the server keeps them in memory only. */
  function maySend() {
    for (var p in PURPOSES) { if (granted(p)) { return true; } }
    return false;
  }
  function hasChoice() { for (var p in PURPOSES) { if (typeof choices[p] === 'boolean') { return true; } } return false; }
  function preferences() {
    var out = {};
    for (var p in PURPOSES) { if (typeof choices[p] === 'boolean') { out[PURPOSES[p]] = choices[p]; } }
    return out;
  }
  var SEGMENT = { analytics: 'analytics', personalization: 'personalization', personalisation: 'personalization',
    functional: 'personalization', proactive_chat: 'proactiveChat', proactivechat: 'proactiveChat',
    chat: 'proactiveChat', callback: 'callback' };
  function consent(given) {
    if (!given || typeof given !== 'object') { warn('consent needs an object such as {analytics: true}'); return; }
    var source = given.categoryPreferences && typeof given.categoryPreferences === 'object' ? given.categoryPreferences : given;
    for (var key in source) {
      var purpose = PURPOSES[key] ? key : SEGMENT[String(key).toLowerCase()];
      if (!purpose) { continue; }
      if (typeof source[key] !== 'boolean') { warn('consent ' + key + ' must be true or false'); continue; }
      choices[purpose] = source[key];
    }
    storage.set('nudge.consent', JSON.stringify(choices));
    if (maySend()) {
      var kept = held; held = [];
      // the choice itself goes first, so the server knows it before it reads the held events
      enqueue(message('track', { event: 'Consent Updated', properties: {} }), true);
      kept.forEach(function (m) { m.context.consent = { categoryPreferences: preferences() }; enqueue(m, true); });
      flushSoon();
      openStream();
    } else {
      held = [];
      if (hasChoice()) { enqueue(message('track', { event: 'Consent Updated', properties: {} }), true); flushSoon(); }
      closeStream();
    }
  }

  // ---- events -------------------------------------------------------------------------------------
  var queue = [], held = [], timer = null;
  function pageContext() {
    return { path: location.pathname, search: location.search, url: location.origin + location.pathname + location.search,
      title: d.title, referrer: d.referrer ? d.referrer.split('?')[0] : '' };
  }
  function message(type, fields) {
    var m = { type: type, messageId: randomId(), anonymousId: anonymousId, originalTimestamp: new Date().toISOString(),
      context: { library: { name: 'nudge.js', version: VERSION }, page: pageContext(), locale: navigator.language,
        userAgent: navigator.userAgent, consent: { categoryPreferences: preferences() } } };
    try { m.context.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { /* none */ }
    if (navigator.globalPrivacyControl === true) { m.context.gpc = true; }
    if (userId) { m.userId = userId; }
    for (var k in fields) { m[k] = fields[k]; }
    return m;
  }
  function enqueue(m, allowed) {
    if (!allowed && !maySend()) {
      if (!hasChoice() && held.length < MAX_HELD) { held.push(m); } // sent if the visitor consents on this page
      return;
    }
    if (queue.length >= MAX_QUEUE) { queue.shift(); warn('event queue full: the oldest event was dropped'); }
    queue.push(m);
    if (queue.length >= MAX_BATCH) { flush(); } else { flushSoon(); }
  }
  function flushSoon() { if (!timer) { timer = setTimeout(flush, FLUSH_MS); } }
  function body(batch) { return JSON.stringify({ writeKey: writeKey, sentAt: new Date().toISOString(), batch: batch }); }
  function flush() {
    clearTimeout(timer); timer = null;
    while (queue.length) { post(queue.splice(0, MAX_BATCH), 0); }
  }
  function post(batch, attempt) {
    fetch(host + '/v1/batch', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: body(batch),
      keepalive: true, credentials: 'omit', mode: 'cors' }).then(function (r) {
      if (r.ok) { return; }
      if (r.status === 429 || r.status >= 500) { throw new Error('HTTP ' + r.status); }
      return r.text().then(function (t) { warn('Nudge refused ' + batch.length + ' events: ' + r.status + ' ' + t); });
    }).catch(function (e) {
      if (attempt + 1 >= RETRIES) { warn('dropped ' + batch.length + ' events after ' + RETRIES + ' tries: ' + e.message); return; }
      setTimeout(function () { post(batch, attempt + 1); }, 1000 * Math.pow(2, attempt) + Math.random() * 500);
    });
  }
  function beaconAll() {
    clearTimeout(timer); timer = null;
    while (queue.length) {
      var part = queue.splice(0, MAX_BATCH);
      var blob = new Blob([body(part)], { type: 'text/plain' });
      if (!(navigator.sendBeacon && navigator.sendBeacon(host + '/v1/batch', blob))) { post(part, RETRIES - 1); }
    }
  }

  var lastPath = null, depths = {};
  function page(name, properties) {
    var props = pageContext();
    if (properties && typeof properties === 'object') { for (var k in properties) { props[k] = properties[k]; } }
    lastPath = location.pathname + location.search; depths = {};
    var fields = { properties: props };
    if (typeof name === 'string') { fields.name = name; }
    var m = message('page', fields);
    if (props.path) { m.context.page.path = props.path; }
    enqueue(m);
  }
  function track(event, properties) {
    if (typeof event !== 'string' || !event) { warn('track needs an event name'); return; }
    enqueue(message('track', { event: event, properties: properties && typeof properties === 'object' ? properties : {} }));
  }
  function identify(id, traits) {
    if (id !== null && id !== undefined && typeof id !== 'string' && typeof id !== 'number') { warn('identify needs a user id'); return; }
    if (id !== null && id !== undefined) { userId = String(id); storage.set('nudge.userId', userId); }
    enqueue(message('identify', { traits: traits && typeof traits === 'object' ? traits : {} }));
  }

  // Page views on single-page-app navigation.
  function navigated() { if (location.pathname + location.search !== lastPath) { page(); } }
  ['pushState', 'replaceState'].forEach(function (f) {
    var original = history[f];
    history[f] = function () { var r = original.apply(this, arguments); setTimeout(tryTo(navigated), 0); return r; };
  });
  w.addEventListener('popstate', tryTo(navigated));

  // Clicks on marked elements.
  d.addEventListener('click', tryTo(function (e) {
    var el = e.target && e.target.closest ? e.target.closest('[data-nudge-track]') : null;
    if (!el) { return; }
    var props = {}, raw = el.getAttribute('data-nudge-properties');
    if (raw) { props = readJson(raw); if (!props || typeof props !== 'object') { warn('data-nudge-properties is not a JSON object: ' + raw); props = {}; } }
    track(el.getAttribute('data-nudge-track'), props);
  }), true);

  // Form errors: the fields still invalid once the submit (and the site's own checks) ran.
  function formName(form) { return form.getAttribute('name') || form.id || form.getAttribute('action') || 'form'; }
  function reportInvalid(form) {
    var fields = form.querySelectorAll('input, select, textarea, [aria-invalid]');
    var seen = {};
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      var invalid = f.getAttribute('aria-invalid') === 'true' || (f.willValidate && f.validity && !f.validity.valid);
      var name = f.name || f.id || f.getAttribute('aria-label');
      if (invalid && name && !seen[name]) { seen[name] = 1; track('Form Error', { form: formName(form), field: name }); }
    }
  }
  var pendingForms = [];
  function reportSoon(form) {
    if (pendingForms.indexOf(form) >= 0) { return; }
    pendingForms.push(form);
    setTimeout(tryTo(function () { pendingForms.splice(pendingForms.indexOf(form), 1); reportInvalid(form); }), 0);
  }
  d.addEventListener('submit', tryTo(function (e) { if (e.target && e.target.tagName === 'FORM') { reportSoon(e.target); } }), true);
  // with the browser's own validation, submit never fires: each invalid field fires "invalid" instead
  d.addEventListener('invalid', tryTo(function (e) { if (e.target && e.target.form) { reportSoon(e.target.form); } }), true);

  // Scroll depth, once per page and threshold.
  w.addEventListener('scroll', tryTo(function () {
    var doc = d.documentElement, height = doc.scrollHeight - w.innerHeight;
    var percent = height <= 0 ? 100 : Math.round((w.scrollY / height) * 100);
    [25, 50, 75, 100].forEach(function (t) {
      if (percent >= t && !depths[t]) { depths[t] = 1; track('Scroll Depth', { percent: t }); }
    });
  }), { passive: true });

  // Idle: one event after idleMs without activity, never periodic.
  var idleTimer = null, idleSent = false;
  function active() {
    clearTimeout(idleTimer);
    if (idleSent) { idleSent = false; }
    idleTimer = setTimeout(function () { idleSent = true; track('Visitor Idle', { seconds: idleMs / 1000 }); }, idleMs);
  }
  ['mousedown', 'keydown', 'scroll', 'touchstart', 'pointermove'].forEach(function (t) {
    w.addEventListener(t, active, { passive: true, capture: true });
  });

  // Visibility: hidden sends what is queued with sendBeacon; visible shows what waited.
  d.addEventListener('visibilitychange', tryTo(function () {
    if (d.visibilityState === 'hidden') { track('Page Hidden', {}); beaconAll(); } else { track('Page Visible', {}); showNext(); }
  }));
  // a page kept in the back-forward cache must not keep its stream: each holds one of the browser's few
  // connections to Nudge's host
  w.addEventListener('pagehide', tryTo(function () { ignoreShown(); beaconAll(); closeStream(); }));
  w.addEventListener('pageshow', tryTo(function (e) { if (e.persisted) { openStream(); } }));

  // ---- engagements --------------------------------------------------------------------------------
  var hooks = { chat: [], callback: [] }, stream = null, token = null, retryMs = 1000;
  var waiting = [], showing = null, announced = {};
  function openStream() {
    if (stream || !writeKey || !(granted('personalization') || granted('proactiveChat') || granted('callback'))) { return; }
    stream = { closed: false };
    var mine = stream;
    getToken().then(function (t) {
      if (mine.closed) { return; }
      var source = new EventSource(host + '/v1/visitor/stream?anonymousId=' + encodeURIComponent(anonymousId) + '&token=' + t);
      mine.source = source;
      source.addEventListener('open', function () { retryMs = 1000; });
      source.addEventListener('engagement', tryTo(function (e) { receive(JSON.parse(e.data)); }));
      source.addEventListener('error', function () {
        if (source.readyState === 2 && !mine.closed) { // closed for good: start again, later
          stream = null; token = null;
          setTimeout(openStream, retryMs); retryMs = Math.min(retryMs * 2, 60000);
        }
      });
    }).catch(function (e) {
      stream = null; warn('no visitor stream: ' + e.message);
      setTimeout(openStream, retryMs); retryMs = Math.min(retryMs * 2, 60000);
    });
  }
  function closeStream() { if (stream) { stream.closed = true; if (stream.source) { stream.source.close(); } stream = null; } }
  function getToken() {
    if (token) { return Promise.resolve(token); }
    return fetch(host + '/v1/visitor/token', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, credentials: 'omit',
      body: JSON.stringify({ writeKey: writeKey, anonymousId: anonymousId }) }).then(function (r) {
      if (!r.ok) { return r.text().then(function (t) { throw new Error('token request answered ' + r.status + ' ' + t); }); }
      return r.json();
    }).then(function (j) { token = j.token; return token; });
  }
  // The visitor's own choices in Nudge's controls: recorded with source "visitor" (docs/privacy.md).
  var KEY_OF = {};
  for (var k in PURPOSES) { KEY_OF[PURPOSES[k]] = k; }
  function choose(purposeId, allowed) {
    var key = KEY_OF[purposeId];
    if (!key) { return Promise.reject(new Error('unknown purpose ' + purposeId)); }
    choices[key] = allowed;
    storage.set('nudge.consent', JSON.stringify(choices));
    var body = {}; body[purposeId] = allowed;
    return getToken().then(function (t) {
      return fetch(host + '/v1/visitor/consent', { method: 'POST', credentials: 'omit', body: JSON.stringify(body),
        headers: { 'Content-Type': 'text/plain', Authorization: 'Visitor ' + anonymousId + ':' + t } });
    }).then(function (r) { if (!r.ok) { throw new Error('consent answered ' + r.status); } });
  }
  function privacyUrl() {
    return getToken().then(function (t) {
      return host + '/privacy/#a=' + encodeURIComponent(anonymousId) + '&t=' + encodeURIComponent(t);
    });
  }
  var privacyHref = null;
  function openPrivacy() {
    // at once, or a pop-up blocker steps in; blocked all the same, the page itself goes there
    if (privacyHref) { if (!w.open(privacyHref, '_blank')) { w.location.href = privacyHref; } return; }
    privacyUrl().then(function (url) { privacyHref = url; w.location.href = url; });
  }
  function preparePrivacyLinks() {
    if (!d.querySelector('[data-nudge-privacy]')) { return; }
    privacyUrl().then(function (url) {
      privacyHref = url;
      var links = d.querySelectorAll('a[data-nudge-privacy]');
      for (var i = 0; i < links.length; i++) { links[i].href = url; }
    }).catch(function (e) { warn('no privacy link: ' + e.message); });
  }
  d.addEventListener('click', tryTo(function (e) {
    var el = e.target && e.target.closest ? e.target.closest('[data-nudge-privacy]') : null;
    if (el) { e.preventDefault(); openPrivacy(); }
  }));
  // the preference centre (another tab or a frame on Nudge's host) tells what the visitor changed there
  w.addEventListener('message', tryTo(function (e) {
    if (e.origin !== host || !e.data || typeof e.data.type !== 'string') { return; }
    if (e.data.type === 'nudge:consent' && e.data.purposes) {
      for (var id in e.data.purposes) {
        var state = e.data.purposes[id] && e.data.purposes[id].state;
        if (KEY_OF[id] && (state === 'granted' || state === 'denied')) { choices[KEY_OF[id]] = state === 'granted'; }
      }
      storage.set('nudge.consent', JSON.stringify(choices));
    } else if (e.data.type === 'nudge:forgotten') {
      // everything under the old id was erased, and Nudge drops what still names it: start afresh
      closeStream(); token = null; privacyHref = null; userId = null;
      anonymousId = randomId(); storage.set('nudge.anonymousId', anonymousId); storage.set('nudge.userId', '');
      waiting = []; ignoreShown();
      openStream(); preparePrivacyLinks();
    }
  }));

  function outcome(engagement, what) {
    var payload = JSON.stringify({ outcome: what, anonymousId: anonymousId, visitorToken: token });
    var url = host + '/v1/engagements/' + encodeURIComponent(engagement.id) + '/outcome';
    if (what === 'ignored' && d.visibilityState === 'hidden' && navigator.sendBeacon) {
      navigator.sendBeacon(url, new Blob([payload], { type: 'text/plain' })); return;
    }
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: payload, keepalive: true, credentials: 'omit' })
      .then(function (r) { if (!r.ok && r.status !== 409) { warn('outcome ' + what + ' answered ' + r.status); } })
      .catch(function (e) { warn('outcome ' + what + ' not sent: ' + e.message); });
  }
  function receive(engagement) {
    if (!engagement || !engagement.id || announced[engagement.id]) { return; }
    announced[engagement.id] = 1;
    waiting.push(engagement);
    showNext();
  }
  function typing() {
    var a = d.activeElement;
    if (!a || a === d.body) { return false; }
    if (root && root.contains(a)) { return false; }
    var tag = a.tagName;
    return a.isContentEditable || tag === 'TEXTAREA' || tag === 'SELECT'
      || (tag === 'INPUT' && !/^(button|submit|reset|checkbox|radio|range|color|file|image)$/i.test(a.type));
  }
  // an engagement waits while the visitor types in a field or the page is hidden
  d.addEventListener('focusout', function () { setTimeout(tryTo(showNext), 0); }, true);
  function showNext() {
    if (showing || !waiting.length || typing() || d.visibilityState === 'hidden' || !d.body) { return; }
    render(waiting.shift());
  }

  var root = null, live = null;
  function element(tag, cls, text) {
    var e = d.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); } // never innerHTML: texts come from rules
    return e;
  }
  function ensureRoot() {
    if (root) { return; }
    var style = element('style');
    style.textContent = CSS;
    d.head.appendChild(style);
    root = element('div', 'nudge-root');
    live = element('div', 'nudge-visually-hidden');
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('role', 'status');
    root.appendChild(live);
    d.body.appendChild(root);
  }
  function render(engagement) {
    ensureRoot();
    var isTip = engagement.type === 'tip';
    var card = element('div', 'nudge-card nudge-' + String(engagement.type).replace(/[^a-z_]/g, ''));
    var titleId = 'nudge-title-' + engagement.id.replace(/[^A-Za-z0-9_-]/g, '');
    var title = isTip ? engagement.title : engagement.type === 'callback' ? 'Would you like a call back?' : 'Chat with us?';
    var heading = element('h2', 'nudge-title', title);
    heading.id = titleId;
    heading.setAttribute('tabindex', '-1');
    var text = element('p', 'nudge-text', isTip ? engagement.body : engagement.message);
    card.setAttribute('role', isTip ? 'region' : 'dialog');
    card.setAttribute('aria-labelledby', titleId);
    card.setAttribute('data-engagement', engagement.id);
    var buttons = element('div', 'nudge-buttons');
    var previousFocus = d.activeElement;
    var timeout = null;
    function close(result) {
      if (showing !== current) { return; }
      clearTimeout(timeout);
      showing = null;
      card.remove();
      d.removeEventListener('keydown', onKey, true);
      outcome(engagement, result);
      if (previousFocus && previousFocus.focus && (!d.activeElement || d.activeElement === d.body)) {
        try { previousFocus.focus(); } catch (e) { /* gone */ }
      }
      setTimeout(showNext, 0);
    }
    function button(label, cls, result, after) {
      var b = element('button', 'nudge-button ' + cls, label);
      b.type = 'button';
      b.addEventListener('click', tryTo(function () { close(result); if (after) { after(); } }));
      buttons.appendChild(b);
      return b;
    }
    if (isTip) {
      button('Got it', 'nudge-primary', 'accepted');
    } else {
      var kind = engagement.type === 'callback' ? 'callback' : 'chat';
      button(kind === 'callback' ? 'Call me back' : 'Accept', 'nudge-primary', 'accepted', function () { accepted(kind, engagement); });
      button(kind === 'callback' ? 'No thanks' : 'Decline', 'nudge-secondary', 'declined');
    }
    var dismiss = element('button', 'nudge-close', '\u00d7');
    dismiss.type = 'button';
    dismiss.setAttribute('aria-label', 'Dismiss');
    dismiss.addEventListener('click', tryTo(function () { close(isTip ? 'declined' : 'ignored'); }));
    card.appendChild(dismiss);
    card.appendChild(heading);
    card.appendChild(text);
    card.appendChild(buttons);
    if (engagement.why && engagement.why.reason) { card.appendChild(why(engagement, function (r) { close(r); })); }
    function onKey(e) { if (e.key === 'Escape' && !typing()) { close('ignored'); } }
    d.addEventListener('keydown', onKey, true);
    var current = { engagement: engagement, close: close };
    showing = current;
    root.appendChild(card);
    live.textContent = (isTip ? 'Tip: ' : '') + title + '. ' + (text.textContent || '');
    if (!d.activeElement || d.activeElement === d.body) { heading.focus({ preventScroll: true }); } // never while typing
    timeout = setTimeout(function () { close('ignored'); }, (engagement.type === 'tip' ? 30 : 60) * 1000);
    outcome(engagement, 'shown');
  }
  // "Why am I seeing this?": the rule's reason and data, "Don't show me offers like this", privacy choices
  function why(engagement, close) {
    var box = element('div', 'nudge-why');
    var panelId = 'nudge-why-' + engagement.id.replace(/[^A-Za-z0-9_-]/g, '');
    var toggle = element('button', 'nudge-why-toggle', words('why.button'));
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', panelId);
    var panel = element('div', 'nudge-why-panel');
    panel.id = panelId;
    panel.hidden = true;
    panel.appendChild(element('p', 'nudge-why-reason', engagement.why.reason));
    if (engagement.why.dataUsed) {
      panel.appendChild(element('p', 'nudge-why-data', words('why.dataUsed', { dataUsed: engagement.why.dataUsed })));
    }
    var optOut = element('button', 'nudge-button nudge-secondary nudge-optout', words('why.optOut'));
    optOut.type = 'button';
    optOut.addEventListener('click', tryTo(function () {
      var purpose = engagement.why.purpose;
      choose(purpose, false).catch(function (e) { warn('opt-out not recorded: ' + e.message); });
      waiting = waiting.filter(function (x) { return !(x.why && x.why.purpose === purpose); });
      close('declined');
      if (live) { live.textContent = words('why.optedOut'); }
    }));
    var link = element('a', 'nudge-why-privacy', words('why.privacy'));
    link.href = privacyHref || host + '/privacy/';
    link.addEventListener('click', tryTo(function (e) { e.preventDefault(); openPrivacy(); }));
    panel.appendChild(optOut);
    panel.appendChild(link);
    toggle.addEventListener('click', tryTo(function () {
      var open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      panel.hidden = !open;
      if (open && !privacyHref) { privacyUrl().then(function (url) { privacyHref = url; link.href = url; }).catch(function () {}); }
    }));
    box.appendChild(toggle);
    box.appendChild(panel);
    return box;
  }
  function ignoreShown() { if (showing) { showing.close('ignored'); } }
  function accepted(kind, engagement) {
    var list = hooks[kind];
    if (!list.length) { warn('no on' + (kind === 'chat' ? 'ChatAccepted' : 'CallbackAccepted') + ' hook: register one to hand over'); }
    list.forEach(function (f) { try { f(engagement); } catch (e) { warn('hook failed: ' + e.message); } });
  }

  var CSS = '.nudge-root{position:fixed;right:16px;bottom:16px;z-index:2147483000;max-width:min(380px,calc(100vw - 32px));'
    + 'font-family:var(--nudge-font,system-ui,sans-serif);color:var(--nudge-text,#1d1d1f)}'
    + '.nudge-card{position:relative;background:var(--nudge-background,#fff);border-radius:var(--nudge-radius,12px);'
    + 'box-shadow:var(--nudge-shadow,0 8px 28px rgba(0,0,0,.18));padding:16px 40px 16px 16px;margin-top:8px;'
    + 'border-left:4px solid var(--nudge-accent,#2563eb);animation:nudge-in .25s ease-out}'
    + '.nudge-title{font-size:1rem;margin:0 0 6px;outline:none}.nudge-text{margin:0 0 12px;font-size:.925rem;line-height:1.4}'
    + '.nudge-buttons{display:flex;gap:8px;flex-wrap:wrap}.nudge-button{font:inherit;border-radius:8px;padding:8px 14px;cursor:pointer;'
    + 'border:1px solid var(--nudge-accent,#2563eb)}.nudge-primary{background:var(--nudge-accent,#2563eb);color:var(--nudge-accent-text,#fff)}'
    + '.nudge-secondary{background:transparent;color:var(--nudge-accent,#2563eb)}'
    + '.nudge-close{position:absolute;top:6px;right:8px;border:0;background:none;font-size:1.25rem;cursor:pointer;color:inherit;padding:4px 8px}'
    + '.nudge-button:focus-visible,.nudge-close:focus-visible{outline:3px solid var(--nudge-focus,#f59e0b);outline-offset:2px}'
    + '.nudge-visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}'
    + '.nudge-why{margin-top:10px;font-size:.85rem}.nudge-why-toggle{font:inherit;background:none;border:0;padding:2px 0;'
    + 'color:var(--nudge-accent,#2563eb);text-decoration:underline;cursor:pointer}.nudge-why-panel p{margin:6px 0}'
    + '.nudge-why-privacy{display:inline-block;margin-top:8px;color:var(--nudge-accent,#2563eb)}'
    + '.nudge-why-toggle:focus-visible,.nudge-why-privacy:focus-visible{outline:3px solid var(--nudge-focus,#f59e0b);outline-offset:2px}'
    + '@keyframes nudge-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}'
    + '@media (prefers-reduced-motion:reduce){.nudge-card{animation:none}}';

  // ---- the public API -----------------------------------------------------------------------------
  var api = {
    loaded: true,
    version: VERSION,
    page: tryTo(page),
    track: tryTo(track),
    identify: tryTo(identify),
    consent: tryTo(consent),
    onChatAccepted: tryTo(function (f) { if (typeof f === 'function') { hooks.chat.push(f); } }),
    onCallbackAccepted: tryTo(function (f) { if (typeof f === 'function') { hooks.callback.push(f); } }),
    ready: tryTo(function (f) { if (typeof f === 'function') { f(api); } }),
    anonymousId: function () { return anonymousId; },
    consentOf: function (purpose) { return granted(purpose); },
    privacyUrl: function () { return privacyUrl(); },
    openPrivacyCentre: tryTo(openPrivacy),
    flush: tryTo(flush),
    push: tryTo(function (call) { run(call); })
  };
  function run(call) {
    if (!call || !call.length || typeof api[call[0]] !== 'function' || call[0] === 'push') { warn('unknown call ' + (call && call[0])); return; }
    api[call[0]].apply(api, Array.prototype.slice.call(call, 1));
  }
  if (!writeKey) { warn('the script tag has no data-write-key: nothing is sent'); }
  w.nudge = api;
  var stubbed = Array.isArray(previous) ? previous.slice() : [];
  function start() {
    if (autoPage) { page(); }
    stubbed.forEach(tryTo(run));
    active();
    openStream();
    preparePrivacyLinks();
  }
  if (d.body) { tryTo(start)(); } else { d.addEventListener('DOMContentLoaded', tryTo(start)); }
})(window, document);
