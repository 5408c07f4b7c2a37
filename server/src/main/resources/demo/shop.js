// The demo shop: a cart in localStorage, reported to Nudge with Segment e-commerce events through Nudge's
// browser SDK (/sdk/nudge.js), a consent banner, the shop's own pretend chat widget, and a panel that
// shows the visitor what Nudge decided for them and why. Plain JavaScript, no build step.
(function () {
  'use strict';

  var CART_KEY = 'nudge-demo.cart';
  var CONSENT_KEY = 'nudge-demo.consent';
  var CURRENCY = 'EUR';
  var products = window.DEMO_PRODUCTS || [];
  var money = new Intl.NumberFormat('en-IE', { style: 'currency', currency: CURRENCY });

  /** Calls the SDK, or queues the call on its stub until the script has loaded. */
  function sdk(method) {
    var args = Array.prototype.slice.call(arguments, 1);
    var n = window.nudge = window.nudge || [];
    if (typeof n[method] === 'function') {
      n[method].apply(n, args);
    } else {
      n.push([method].concat(args));
    }
  }

  // ---- the cart, kept in this browser only -------------------------------------------------------

  function product(id) {
    for (var i = 0; i < products.length; i++) {
      if (products[i].id === id) return products[i];
    }
    return null;
  }

  function readCart() {
    try {
      var lines = JSON.parse(localStorage.getItem(CART_KEY) || '[]');
      return Array.isArray(lines) ? lines.filter(function (l) { return product(l.id) && l.quantity > 0; }) : [];
    } catch (e) {
      return [];
    }
  }

  function writeCart(lines) {
    localStorage.setItem(CART_KEY, JSON.stringify(lines));
    updateCartCount();
  }

  function cartValue(lines) {
    return lines.reduce(function (sum, l) { return sum + product(l.id).price * l.quantity; }, 0);
  }

  /** A product as Segment's e-commerce spec describes it. */
  function segmentProduct(p, quantity) {
    return { product_id: p.id, sku: p.id, name: p.name, category: p.category, price: p.price,
      quantity: quantity, currency: CURRENCY, url: location.origin + '/demo/products/' + p.id };
  }

  function segmentProducts(lines) {
    return lines.map(function (l) { return segmentProduct(product(l.id), l.quantity); });
  }

  function addToCart(p) {
    var lines = readCart();
    var line = lines.find(function (l) { return l.id === p.id; });
    if (line) line.quantity++; else lines.push({ id: p.id, quantity: 1 });
    writeCart(lines);
    sdk('track', 'Product Added', segmentProduct(p, 1));
  }

  function removeFromCart(id) {
    var lines = readCart();
    var line = lines.find(function (l) { return l.id === id; });
    writeCart(lines.filter(function (l) { return l.id !== id; }));
    if (line) sdk('track', 'Product Removed', segmentProduct(product(id), line.quantity));
  }

  // ---- page furniture: header, search, consent banner --------------------------------------------

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  function header() {
    var search = el('form', { class: 'search', role: 'search', action: '/demo/search', method: 'get' }, [
      el('label', { class: 'visually-hidden', for: 'q', text: 'Search the shop' }),
      el('input', { id: 'q', name: 'q', type: 'search', placeholder: 'Search products and help' }),
      el('button', { type: 'submit', text: 'Search' })
    ]);
    var nav = el('nav', { 'aria-label': 'Shop' }, [
      el('a', { href: '/demo/', text: 'Shop' }),
      el('a', { href: '/demo/help', text: 'Help' }),
      el('a', { href: '/demo/cart', id: 'cart-link' }, ['Cart ', el('span', { class: 'badge', id: 'cart-count' })]),
      // the SDK points a link marked data-nudge-privacy at this visitor's preference centre
      el('a', { href: '/privacy/', id: 'privacy-link', 'data-nudge-privacy': '', text: 'Privacy choices' })
    ]);
    var bar = el('header', { class: 'topbar' }, [
      el('a', { class: 'brand', href: '/demo/' }, [el('span', { class: 'logo', 'aria-hidden': 'true' }), 'Calm Home']),
      search, nav
    ]);
    document.body.insertBefore(bar, document.body.firstChild);
    document.body.insertBefore(el('p', { class: 'demo-ribbon' }, [
      'A demo of Nudge: events go to this Nudge server; nothing is sold or charged.'
    ]), bar);
    updateCartCount();
  }

  function updateCartCount() {
    var count = document.getElementById('cart-count');
    if (count) {
      var units = readCart().reduce(function (n, l) { return n + l.quantity; }, 0);
      count.textContent = String(units);
      count.hidden = units === 0;
    }
  }

  var ALL = { analytics: true, personalization: true, proactiveChat: true, callback: true };
  var NONE = { analytics: false, personalization: false, proactiveChat: false, callback: false };

  /** Nudge's default policy is opt-in: without a choice nothing is sent, so the demo asks first. */
  function consentBanner() {
    var choice = localStorage.getItem(CONSENT_KEY);
    if (choice === 'accepted' || choice === 'declined') return;
    var banner = el('section', { class: 'consent', role: 'dialog', 'aria-labelledby': 'consent-title',
      id: 'consent-banner' }, [
      el('h2', { id: 'consent-title', text: 'May we help while you shop?' }),
      el('p', { text: 'Nudge, the engine behind this demo, can show you tips, invite you to chat with an adviser ' +
        'and offer to call you back, based on what you do in this shop. It only does so with your consent.' }),
      el('div', { class: 'actions' }, [
        el('button', { type: 'button', class: 'primary', id: 'consent-accept', text: 'Accept' }),
        el('button', { type: 'button', id: 'consent-decline', text: 'Decline' })
      ])
    ]);
    document.body.appendChild(banner);
    banner.querySelector('#consent-accept').addEventListener('click', function () { decide('accepted', ALL); });
    banner.querySelector('#consent-decline').addEventListener('click', function () { decide('declined', NONE); });

    function decide(value, purposes) {
      localStorage.setItem(CONSENT_KEY, value);
      sdk('consent', purposes);
      banner.remove();
    }
  }

  // ---- the pages ---------------------------------------------------------------------------------

  function productCard(p) {
    return el('article', { class: 'card product-card' }, [
      el('a', { href: '/demo/products/' + p.id, class: 'swatch', style: '--swatch:' + p.colour,
        'aria-label': p.name }),
      el('h3', {}, [el('a', { href: '/demo/products/' + p.id, text: p.name })]),
      el('p', { class: 'muted', text: p.summary }),
      el('p', { class: 'price', text: money.format(p.price) })
    ]);
  }

  var pages = {
    shop: function () {
      var grid = document.getElementById('product-grid');
      products.forEach(function (p) { grid.appendChild(productCard(p)); });
    },

    product: function () {
      var id = decodeURIComponent(location.pathname.split('/').pop());
      var p = product(id);
      var box = document.getElementById('product');
      box.textContent = '';
      if (!p) {
        box.appendChild(el('h1', { text: 'No such product' }));
        box.appendChild(el('p', {}, ['Back to ', el('a', { href: '/demo/', text: 'the shop' }), '.']));
        return;
      }
      document.title = p.name + ' · Nudge demo shop';
      var added = el('p', { class: 'form-status', role: 'status' });
      var add = el('button', { type: 'button', class: 'primary', id: 'add-to-cart', text: 'Add to cart' });
      add.addEventListener('click', function () {
        addToCart(p);
        added.textContent = p.name + ' is in your cart (' + money.format(cartValue(readCart())) + ' in all).';
      });
      box.append(el('div', { class: 'swatch large', style: '--swatch:' + p.colour }), el('div', {}, [
        el('h1', { text: p.name }), el('p', { text: p.summary }),
        el('p', { class: 'price', text: money.format(p.price) }), add, added,
        el('p', {}, [el('a', { href: '/demo/cart', text: 'View your cart' })])
      ]));
    },

    cart: function () {
      var box = document.getElementById('cart');
      function render() {
        var lines = readCart();
        box.textContent = '';
        if (lines.length === 0) {
          box.appendChild(el('p', {}, ['Your cart is empty. ', el('a', { href: '/demo/', text: 'Browse the shop' }), '.']));
          return;
        }
        var list = el('ul', { class: 'card lines' });
        lines.forEach(function (l) {
          var p = product(l.id);
          var remove = el('button', { type: 'button', class: 'link', text: 'Remove',
            'aria-label': 'Remove ' + p.name });
          remove.addEventListener('click', function () { removeFromCart(p.id); render(); });
          list.appendChild(el('li', {}, [
            el('span', { text: l.quantity + ' × ' + p.name }),
            el('span', { class: 'price', text: money.format(p.price * l.quantity) }), remove
          ]));
        });
        box.append(list, el('p', { class: 'total', id: 'cart-total', text: 'Total ' + money.format(cartValue(lines)) }),
          el('a', { class: 'button primary', href: '/demo/checkout', id: 'go-to-checkout', text: 'Go to checkout' }));
      }
      render();
      var lines = readCart();
      sdk('track', 'Cart Viewed', { products: segmentProducts(lines), value: cartValue(lines), currency: CURRENCY });
    },

    checkout: function () {
      var lines = readCart();
      var summary = document.getElementById('order-summary');
      var form = document.getElementById('checkout-form');
      if (lines.length === 0) {
        form.hidden = true;
        summary.append(el('h2', { text: 'Your cart is empty' }),
          el('p', {}, [el('a', { href: '/demo/', text: 'Browse the shop' }), ' first.']));
        return;
      }
      summary.appendChild(el('h2', { text: 'Your order' }));
      lines.forEach(function (l) {
        var p = product(l.id);
        summary.appendChild(el('p', { class: 'summary-line' }, [
          el('span', { text: l.quantity + ' × ' + p.name }), el('span', { text: money.format(p.price * l.quantity) })
        ]));
      });
      summary.appendChild(el('p', { class: 'total', text: 'Total ' + money.format(cartValue(lines)) }));
      sdk('ready', function () {
        sdk('track', 'Checkout Started', { products: segmentProducts(lines), value: cartValue(lines),
          revenue: cartValue(lines), currency: CURRENCY });
        // the SDK's own page view says where the visitor is: the default rules know a checkout by
        // "/checkout" in its path, here /demo/checkout
      });
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        if (!form.checkValidity()) {
          markInvalid(form);
          return;
        }
        var order = 'demo-' + Date.now().toString(36);
        sdk('track', 'Order Completed', { order_id: order, total: cartValue(lines), revenue: cartValue(lines),
          currency: CURRENCY, products: segmentProducts(lines) });
        writeCart([]);
        form.replaceWith(el('section', { class: 'card', role: 'status' }, [
          el('h2', { text: 'Thank you' }),
          el('p', { text: 'Order ' + order + ' is placed (not really: this is a demo).' })
        ]));
        summary.remove();
      });
    },

    help: function () {
      var form = document.getElementById('help-form');
      var status = document.getElementById('help-status');
      form.addEventListener('submit', function (event) {
        event.preventDefault(); // the demo sends no message anywhere
        if (!form.checkValidity()) {
          var wrong = markInvalid(form);
          status.textContent = 'Please check ' + wrong.join(', ') + '.';
          status.className = 'form-status error';
          return;
        }
        status.textContent = 'Thank you: in a real shop your question would now be on its way.';
        status.className = 'form-status ok';
        form.reset();
      });
    },

    search: function () {
      var query = (new URLSearchParams(location.search).get('q') || '').trim();
      var box = document.getElementById('search-results');
      document.getElementById('q').value = query;
      if (!query) {
        box.appendChild(el('p', { class: 'muted', text: 'Type a word in the search box above.' }));
        return;
      }
      document.getElementById('search-title').textContent = 'Results for “' + query + '”';
      sdk('track', 'Products Searched', { query: query });
      var words = query.toLowerCase().split(/\s+/);
      var found = products.filter(function (p) {
        var text = (p.name + ' ' + p.category + ' ' + p.summary).toLowerCase();
        return words.some(function (w) { return text.indexOf(w) >= 0; });
      });
      if (found.length === 0) {
        box.appendChild(el('p', {}, ['No product matches. Questions about an order? See ',
          el('a', { href: '/demo/help', text: 'Help' }), '.']));
        return;
      }
      var grid = el('div', { class: 'grid' });
      found.forEach(function (p) { grid.appendChild(productCard(p)); });
      box.appendChild(grid);
    }
  };

  /** Marks the invalid fields for the visitor; returns their labels. The SDK reports them to Nudge. */
  function markInvalid(form) {
    var wrong = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.willValidate) return;
      var ok = field.checkValidity();
      field.setAttribute('aria-invalid', ok ? 'false' : 'true');
      if (!ok) wrong.push((field.closest('label') || field).firstChild.textContent.trim().toLowerCase());
    });
    return wrong;
  }

  // ---- behind the scenes: what Nudge decided, and the shop's own chat widget ---------------------

  /** Why a decision went as it did, in words, for every reason the gate gives (docs/api.md). */
  function explain(d) {
    var r = d.reason;
    if (r === 'sent') return 'Sent: you saw it on this page, and the chat system got it with your journey.';
    if (r.indexOf('downgraded:') === 0) {
      return 'The ' + (d.context.downgradedFrom ? d.context.downgradedFrom.queue + ' ' : '') + 'queue ' +
        (r === 'downgraded:closed' ? 'is closed now' : 'has no adviser free') + ', so the rule\'s tip was sent instead.';
    }
    if (r.indexOf('consent:') === 0) {
      return 'Not sent: you have not allowed ' + r.substring(8).replace('_', ' ') +
        ' (the consent banner; clear this site\'s data to see it again).';
    }
    if (r.indexOf('cap:') === 0) return 'Not sent: the contact policy\'s cap "' + r.substring(4) + '" is reached.';
    return {
      'quiet-hours': 'Not sent: no callbacks during quiet hours in your time zone (quietHours in rules/policy.yaml).',
      'closed': 'Not sent: the ' + (d.fields.queue || '') + ' queue is closed now (queues in rules/policy.yaml).',
      'no-capacity': 'Not sent: the ' + (d.fields.queue || '') + ' queue reported no adviser free.',
      'active-chat': 'Not sent: you are already in a chat.',
      'pending-callback': 'Not sent: you are waiting for a callback you accepted.',
      'cooldown': 'Not sent: you declined or ignored one of these recently (cooldowns in rules/policy.yaml).',
      'arbitration': 'Not sent: another engagement of higher priority was sent at the same moment.',
      'holdout': 'Not sent: you are in this rule\'s control group (holdouts in rules/policy.yaml).',
      'expired': 'Not sent: it was decided too late to be useful.'
    }[r] || r;
  }

  var TYPES = { proactive_chat: 'Chat invitation', callback: 'Callback offer', tip: 'Tip' };

  /** The visitor's anonymousId as the SDK keeps it; null until the SDK has one. */
  function anonymousId() {
    var n = window.nudge;
    var id = n && (typeof n.anonymousId === 'function' ? n.anonymousId() : n.anonymousId);
    return typeof id === 'string' && id ? id : null;
  }

  function writeKey() {
    var tag = document.querySelector('script[data-write-key]');
    return tag ? tag.getAttribute('data-write-key') : '';
  }

  var visitor = { id: null, token: null };

  /** This visitor's decisions, newest first, with the visitor token the SDK's stream uses too. */
  function fetchDecisions() {
    var id = anonymousId();
    if (!id) return Promise.resolve(null);
    var token = visitor.id === id ? Promise.resolve(visitor.token) :
      fetch('/v1/visitor/token', { method: 'POST', headers: { 'Content-Type': 'text/plain' },
        body: JSON.stringify({ writeKey: writeKey(), anonymousId: id }) })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('token ' + r.status)); })
        .then(function (t) { visitor = { id: id, token: t.token }; return t.token; });
    return token.then(function (t) {
      return fetch('/demo/api/decisions?anonymousId=' + encodeURIComponent(id) + '&token=' + encodeURIComponent(t),
        { cache: 'no-store' });
    }).then(function (r) { return r.ok ? r.json() : Promise.reject(new Error('decisions ' + r.status)); })
      .then(function (body) { return body.decisions; });
  }

  function behindTheScenes() {
    var list = el('ol', { class: 'decisions', id: 'decisions' });
    var empty = el('p', { class: 'muted', id: 'no-decision', text: localStorage.getItem(CONSENT_KEY) === 'declined'
      ? 'You declined in the consent banner, so Nudge offers you nothing here. Clear this site\'s data to choose again.'
      : 'No decision yet. Try one of the three things on the shop\'s front page.' });
    var count = el('span', { class: 'badge', id: 'decision-count', text: '0' });
    var toggle = el('button', { type: 'button', class: 'scenes-toggle', 'aria-expanded': 'false',
      'aria-controls': 'scenes-body' }, ['Behind the scenes ', count]);
    var body = el('div', { id: 'scenes-body', hidden: '' }, [
      el('p', { class: 'muted', text: 'What Nudge decided for you, newest first. This panel is part of the demo, ' +
        'not of Nudge\'s SDK: a real shop shows only the engagements.' }), empty, list]);
    var panel = el('aside', { class: 'scenes', 'aria-label': 'Behind the scenes' }, [toggle, body]);
    document.body.appendChild(panel);
    function show(open) {
      body.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    }
    toggle.addEventListener('click', function () { show(body.hidden); });
    // a suppression the visitor has not seen opens the panel: nothing appeared, and here is why
    var SEEN_KEY = 'nudge-demo.seen-decisions';
    var seen = [];
    try { seen = JSON.parse(sessionStorage.getItem(SEEN_KEY) || '[]'); } catch (e) { /* start afresh */ }
    var shown = '';
    function refresh() {
      if (document.hidden) return;
      fetchDecisions().then(function (decisions) {
        if (!decisions) return;
        var key = decisions.map(function (d) { return d.engagementId + d.outcome; }).join();
        if (key === shown) return;
        shown = key;
        count.textContent = String(decisions.length);
        empty.hidden = decisions.length > 0;
        list.textContent = '';
        var unseen = decisions.filter(function (d) { return seen.indexOf(d.engagementId) < 0; });
        if (unseen.some(function (d) { return d.outcome !== 'sent'; })) show(true);
        seen = decisions.map(function (d) { return d.engagementId; });
        sessionStorage.setItem(SEEN_KEY, JSON.stringify(seen));
        decisions.forEach(function (d) {
          list.appendChild(el('li', { class: 'decision ' + d.outcome, 'data-rule': d.rule, 'data-reason': d.reason }, [
            el('strong', { text: (TYPES[d.type] || d.type) + ' from rule ' + d.rule }),
            el('span', { class: 'when', text: new Date(d.decidedAt).toLocaleTimeString() }),
            el('p', { text: explain(d) })
          ]));
        });
      }).catch(function (e) { console.warn('demo shop: cannot read the decisions:', e.message); });
    }
    refresh();
    setInterval(refresh, 3000);
  }

  /** The shop's own pretend chat widget: what a real site's chat would open when a visitor accepts. */
  function openChat(engagement) {
    var old = document.getElementById('demo-chat');
    if (old) old.remove();
    var context = el('dl', { class: 'context', id: 'chat-context' }, [el('dt', { text: 'Loading what the adviser sees...' })]);
    var close = el('button', { type: 'button', class: 'link', 'aria-label': 'Close the chat', text: 'Close' });
    var widget = el('section', { class: 'chat', id: 'demo-chat', role: 'dialog', 'aria-labelledby': 'chat-title' }, [
      el('header', {}, [el('h2', { id: 'chat-title', text: 'Chat with an adviser' }), close]),
      el('p', { class: 'demo-note', text: 'This is the demo shop\'s own chat widget, a stand-in for your chat ' +
        'system. Nudge handed over to it when you accepted.' }),
      el('p', { class: 'bubble', text: engagement.message || 'Hello!' }),
      el('p', { class: 'waiting', text: 'An adviser will join you shortly.' }),
      el('h3', { text: 'What the adviser sees' }), context
    ]);
    document.body.appendChild(widget);
    close.addEventListener('click', function () { widget.remove(); });
    showContext(engagement, context, 10);
  }

  /** The journey context travels to the chat system with the engagement; the demo reads it back. */
  function showContext(engagement, box, tries) {
    fetchDecisions().then(function (decisions) {
      var d = (decisions || []).find(function (x) { return x.engagementId === engagement.id; });
      if (!d) {
        if (tries > 0) setTimeout(function () { showContext(engagement, box, tries - 1); }, 500);
        return;
      }
      var c = d.context || {};
      var cart = c.cart || {};
      var rows = [
        ['Why', c.reason || d.rule],
        ['Queue', d.fields.queue || ''],
        ['Current page', c.currentPage || ''],
        ['Pages', (c.pages || []).join(', ')],
        ['Cart', cart.quantity ? cart.quantity + ' items, ' + new Intl.NumberFormat('en-IE',
          { style: 'currency', currency: cart.currency || CURRENCY }).format(cart.value) +
          ': ' + (cart.products || []).join(', ') : 'empty'],
        ['Searches', (c.searches || []).join(', ') || 'none'],
        ['Visit', String(c.visit || 1) + (c.returning ? ' (returning)' : '')]
      ];
      box.textContent = '';
      rows.forEach(function (row) {
        box.append(el('dt', { text: row[0] }), el('dd', { text: row[1] }));
      });
    }).catch(function (e) { console.warn('demo shop: cannot read the engagement context:', e.message); });
  }

  var started = false;
  if (document.readyState === 'loading') window.addEventListener('DOMContentLoaded', start); else start();

  function start() {
    if (started) return;
    started = true;
    header();
    consentBanner();
    var page = pages[document.body.getAttribute('data-page')];
    if (page) page();
    behindTheScenes();
    sdk('onChatAccepted', openChat);
  }
})();
