/* Nudge preference centre: what Nudge holds about this visitor, their choices, download, forget me. docs/privacy.md */
(function (w, d) {
  'use strict';
  var T = JSON.parse(d.getElementById('nudge-texts').textContent);
  var PURPOSES = ['analytics', 'personalization', 'proactive_chat', 'callback'];
  var KEY = 'nudge.privacy';
  function $(id) { return d.getElementById(id); }
  function text(key, values) {
    var s = T[key] || key;
    return s.replace(/\{(\w+)\}/g, function (m, k) { return values && k in values ? String(values[k]) : m; });
  }
  function say(message) { $('status').textContent = message; }

  // The credential arrives in the fragment (never sent to a server), then lives in this tab's session only.
  function credential() {
    var hash = new URLSearchParams(w.location.hash.replace(/^#/, ''));
    if (hash.get('a') && hash.get('t')) {
      var c = { a: hash.get('a'), t: hash.get('t') };
      try { w.sessionStorage.setItem(KEY, JSON.stringify(c)); } catch (e) { /* storage blocked: this page view only */ }
      w.history.replaceState(null, '', w.location.pathname + w.location.search);
      return c;
    }
    try { return JSON.parse(w.sessionStorage.getItem(KEY)); } catch (e) { return null; }
  }
  var me = credential();

  function call(method, path, body) {
    var init = { method: method, headers: { Authorization: 'Visitor ' + me.a + ':' + me.t }, credentials: 'omit' };
    if (body) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (t) {
        var json = null;
        try { json = t ? JSON.parse(t) : null; } catch (e) { /* not JSON */ }
        if (!r.ok) {
          var error = new Error(json && json.error ? json.error.message || json.error : 'HTTP ' + r.status);
          error.status = r.status; throw error;
        }
        return json;
      });
    });
  }
  function download(name, data) {
    var url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    var a = d.createElement('a');
    a.href = url; a.download = name; d.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function tell(message) { // the site's SDK that opened or framed this page
    var target = w.opener || (w.parent !== w ? w.parent : null);
    if (target) { try { target.postMessage(message, '*'); } catch (e) { /* gone */ } }
  }

  $('intro').textContent = text('intro');
  if (!me || !me.a || !me.t) { $('no-credential').hidden = false; return; }

  var data = null;
  function renderPurposes(purposes) {
    var list = $('purposes');
    list.textContent = '';
    PURPOSES.forEach(function (p) {
      var state = purposes[p] || { allowed: false };
      var li = d.createElement('li');
      var words = d.createElement('div');
      var label = d.createElement('span');
      label.className = 'label'; label.id = 'label-' + p; label.textContent = text('purpose.' + p);
      var help = d.createElement('span');
      help.className = 'help'; help.id = 'help-' + p; help.textContent = text('purpose.' + p + '.help');
      words.appendChild(label); words.appendChild(help);
      var button = d.createElement('button');
      button.type = 'button'; button.className = 'switch'; button.setAttribute('role', 'switch');
      button.setAttribute('data-purpose', p);
      button.setAttribute('aria-labelledby', 'label-' + p);
      button.setAttribute('aria-describedby', 'help-' + p);
      button.setAttribute('aria-checked', String(!!state.allowed));
      button.textContent = state.allowed ? text('on') : text('off');
      button.addEventListener('click', function () {
        var next = button.getAttribute('aria-checked') !== 'true';
        var choice = {}; choice[p] = next;
        button.disabled = true;
        call('POST', '/v1/visitor/consent', choice).then(function (answer) {
          renderPurposes(answer.purposes);
          var again = list.querySelector('[data-purpose="' + p + '"]');
          if (again) { again.focus(); }
          say(text('saved', { purpose: text('purpose.' + p), state: next ? text('on') : text('off') }));
          tell({ type: 'nudge:consent', purposes: answer.purposes });
        }).catch(function (e) { button.disabled = false; say(text('saveFailed', { error: e.message })); });
      });
      li.appendChild(words); li.appendChild(button);
      list.appendChild(li);
    });
  }
  function item(list, key, values) {
    var li = d.createElement('li'); li.textContent = text(key, values); list.appendChild(li);
  }
  function renderHeld(profile) {
    var list = $('held-list');
    list.textContent = '';
    if (!profile) { item(list, 'nothingHeld'); return; }
    var j = profile.journey;
    if (j) {
      item(list, 'held.visits', { count: j.visitCount });
      if (j.recentPaths && j.recentPaths.length) { item(list, 'held.pages', { pages: j.recentPaths.join(', ') }); }
      var units = (j.cart && j.cart.items || []).reduce(function (n, i) { return n + (i.quantity || 0); }, 0);
      if (units) { item(list, 'held.cart', { count: units }); }
      if (j.searches && j.searches.length) { item(list, 'held.searches', { searches: j.searches.join(', ') }); }
    }
    if (profile.interactions && profile.interactions.length) { item(list, 'held.contacts', { count: profile.interactions.length }); }
    var offered = (profile.decisions || []).filter(function (x) { return x.outcome === 'sent'; });
    if (offered.length) {
      item(list, 'held.offers', { count: offered.length });
      offered.slice(-5).forEach(function (x) {
        var c = x.context || {};
        item(list, 'held.offerWhy', { title: x.type === 'tip' ? text('purpose.personalization')
          : text('purpose.' + (x.type === 'callback' ? 'callback' : 'proactive_chat')), reason: c.reason || '' });
      });
    }
    var links = profile.ids && profile.ids.links || [];
    var devices = links.filter(function (l) { return l.kind === 'anonymousId'; }).length;
    if (devices > 1) { item(list, 'held.devices', { count: devices }); }
    if (links.some(function (l) { return l.kind === 'userId'; })) { item(list, 'held.account'); }
    if (profile.events && profile.events.length) { item(list, 'held.events', { count: profile.events.length }); }
  }

  $('choices-heading').textContent = text('choicesHeading');
  $('held-heading').textContent = text('heldHeading');
  $('download').textContent = text('download');
  $('forget-heading').textContent = text('forgetHeading');
  $('forget-help').textContent = text('forgetHelp');
  $('forget').textContent = text('forget');
  $('confirm-text').textContent = text('forgetConfirm');
  $('confirm-yes').textContent = text('forgetYes');
  $('confirm-no').textContent = text('forgetNo');
  $('receipt').textContent = text('receipt');

  say(text('loading'));
  call('GET', '/v1/visitor/data').then(function (answer) {
    data = answer;
    say('');
    renderPurposes(answer.purposes);
    renderHeld(answer.profile);
    ['choices', 'held', 'forget-section'].forEach(function (id) { $(id).hidden = false; });
  }).catch(function (e) { say(text('loadFailed', { error: e.message })); });

  $('download').addEventListener('click', function () {
    call('GET', '/v1/visitor/data').then(function (answer) { download('my-data.json', answer); })
      .catch(function (e) { say(text('loadFailed', { error: e.message })); });
  });
  $('forget').addEventListener('click', function () { $('confirm').hidden = false; $('confirm-yes').focus(); });
  $('confirm-no').addEventListener('click', function () { $('confirm').hidden = true; $('forget').focus(); });
  $('confirm-yes').addEventListener('click', function () {
    $('confirm-yes').disabled = true;
    call('POST', '/v1/visitor/forget').then(function (receipt) { finished(receipt); }).catch(function (e) {
      if (e.status === 404) { finished(null); return; }
      $('confirm-yes').disabled = false;
      say(text('forgetFailed', { error: e.message }));
    });
  });
  function finished(receipt) {
    ['choices', 'held', 'forget-section'].forEach(function (id) { $(id).hidden = true; });
    $('done').hidden = false;
    if (receipt) {
      var records = Object.keys(receipt.records || {}).reduce(function (n, k) { return n + receipt.records[k]; }, 0);
      $('done-text').textContent = text('forgotten', { date: new Date(receipt.erasedAt).toLocaleString(d.documentElement.lang), records: records });
      $('receipt').hidden = false;
      $('receipt').addEventListener('click', function () { download('erasure-receipt.json', receipt); });
    } else {
      $('done-text').textContent = text('forgottenNothing');
    }
    $('done-text').setAttribute('tabindex', '-1'); $('done-text').focus();
    try { w.sessionStorage.removeItem(KEY); } catch (e) { /* none */ }
    tell({ type: 'nudge:forgotten' });
  }
})(window, document);
