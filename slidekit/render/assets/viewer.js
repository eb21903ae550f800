/* slidekit viewer: turns the compiled deck into a presentation tool.
   Audience view, overview, blackout, fragments, transitions, presenter view and
   window sync. Hand-written, no dependencies, no network. See docs/html-contract.md. */
(() => {
  'use strict';
  const deck = document.querySelector('.sk-deck');
  const slides = deck ? [...deck.children].filter((e) => e.tagName === 'SECTION') : [];
  if (!slides.length) return;

  const root = document.documentElement;
  const W = +deck.dataset.width || 1280;
  const H = +deck.dataset.height || 720;
  const M = slides.length;
  const query = new URLSearchParams(location.search);
  const presenter = query.get('view') === 'presenter';
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  const KEY = 'slidekit:' + location.pathname;
  const notes = {};
  document.querySelectorAll('.sk-notes .sk-note').forEach((n) => { notes[n.dataset.slide] = n; });

  let cur = -1;     // current slide, 0-based
  let frag = 0;     // fragments shown on the current slide
  let blank = '';   // '', 'black' or 'white'

  /* ---------- small helpers ---------- */
  function h(tag, attrs = {}, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs) {
      if (k === 'on') for (const t in attrs.on) e.addEventListener(t, attrs.on[t]);
      else if (k === 'svg') e.innerHTML = `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${attrs.svg}"/></svg>`;
      else e.setAttribute(k, attrs[k]);
    }
    e.append(...kids);
    return e;
  }
  function button(label, key, icon, action, cls = '') {
    return h('button', {
      type: 'button', class: 'sk-btn ' + cls, 'aria-label': label, title: `${label} (${key})`, svg: icon,
      on: { click(e) { action(); if (e.detail) e.currentTarget.blur(); } },
    });
  }
  const ICON = {
    prev: 'M15 5l-7 7 7 7', next: 'M9 5l7 7-7 7',
    full: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5',
    grid: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z',
    screen: 'M3 4h18v12H3zM8 20h8M12 16v4',
    help: 'M9 9a3 3 0 1 1 4 2.8c-.6.3-1 .9-1 1.6V15M12 18v.5',
  };
  // localStorage may be missing or refuse (private modes, some file:// setups): never let that stop the show.
  function store(k, v) {
    try { if (v === undefined) return localStorage.getItem(k); localStorage.setItem(k, v); } catch { /* off */ }
    return null;
  }
  const clamp = (n, lo, hi) => Math.max(lo, Math.min(hi, n));
  const fragCount = (i) => +slides[i].dataset.marpitFragments || slides[i].querySelectorAll('[data-marpit-fragment]').length;
  const label = (i) => slides[i].getAttribute('aria-label') || `Slide ${i + 1} of ${M}`;

  function showFragments(sec, f) {
    sec.querySelectorAll('[data-marpit-fragment]').forEach((item, k) => {
      item.toggleAttribute('data-sk-shown', (+item.dataset.marpitFragment || k + 1) <= f);
    });
  }

  // A copy of slide i with f fragments shown; ids move to data-sk-id so they stay unique.
  function copy(i, f) {
    const c = slides[i].cloneNode(true);
    for (const e of [c, ...c.querySelectorAll('[id]')]) { e.dataset.skId = e.id; e.removeAttribute('id'); }
    c.removeAttribute('role');
    c.removeAttribute('aria-label');
    c.className = (c.className.replace(/\bsk-(on|leaving)\b/g, '') + ' sk-on').trim();
    showFragments(c, f);
    return c;
  }

  // A stage is a .sk-deck box whose slide is scaled to fit it, centred (letterboxing).
  const fitter = new ResizeObserver((entries) => entries.forEach((en) => fit(en.target)));
  function fit(stage) {
    const s = Math.min(stage.clientWidth / W, stage.clientHeight / H);
    if (s > 0) stage.style.setProperty('--sk-scale', s);
  }
  function stage(cls) {
    const s = h('div', { class: 'sk-deck sk-stage ' + cls, 'aria-hidden': 'true', inert: '' });
    for (const k of ['theme', 'size', 'width', 'height']) if (deck.dataset[k]) s.dataset[k] = deck.dataset[k];
    fitter.observe(s);
    return s;
  }

  /* ---------- page set-up ---------- */
  root.classList.add('sk-viewer');
  if (presenter) root.classList.add('sk-presenter');
  root.style.setProperty('--sk-w', W + 'px');
  root.style.setProperty('--sk-h', H + 'px');
  root.style.setProperty('--sk-ratio', `${W} / ${H}`);
  deck.classList.add('sk-main', 'sk-stage');
  fitter.observe(deck);
  slides.forEach((s, i) => {
    s.setAttribute('role', 'region');
    if (!s.hasAttribute('aria-label')) s.setAttribute('aria-label', label(i));
  });

  const live = h('div', { class: 'sk-ui sk-sr', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const counter = h('span', { class: 'sk-count' });
  const progress = h('div', { class: 'sk-ui sk-progress', 'aria-hidden': 'true' }, h('div'));
  const blankCover = h('div', { class: 'sk-ui sk-blank', 'aria-hidden': 'true' });
  const helpBox = h('div', { class: 'sk-ui sk-help', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Keyboard shortcuts', hidden: '' },
    h('div', { class: 'sk-help-box' }, h('h2', {}, 'Keyboard shortcuts'), h('dl', {}, ...[
      ['→ ↓ Space PageDown Enter', 'Next'], ['← ↑ Shift+Space PageUp', 'Previous'],
      ['Shift + arrow', 'Skip fragments'], ['Home / End', 'First / last slide'], ['number, Enter', 'Go to slide'],
      ['o / Esc', 'Overview'], ['f', 'Fullscreen'], ['b or .  /  w', 'Black / white screen'],
      ['p', 'Presenter view'], ['+ / −', 'Notes font size (presenter)'], ['?', 'This help'],
    ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    button('Close', 'Esc', 'M6 6l12 12M18 6L6 18', () => toggleHelp(false), 'sk-close')));
  const overview = h('div', { class: 'sk-ui sk-overview', role: 'dialog', 'aria-label': 'Slide overview', hidden: '' });
  document.body.append(live, progress, blankCover, helpBox, overview);
  if (query.has('progress') ? query.get('progress') !== '0' : deck.dataset.progress === 'true') root.classList.add('sk-show-progress');

  const prevBtn = button('Previous slide', '←', ICON.prev, () => prev());
  const nextBtn = button('Next slide', '→', ICON.next, () => next());
  const pv = presenter ? buildPresenter() : null;
  if (!presenter) {
    document.body.append(h('nav', { class: 'sk-ui sk-bar', 'aria-label': 'Slide controls' },
      prevBtn, counter, nextBtn,
      button('Fullscreen', 'f', ICON.full, fullscreen),
      button('Overview', 'o', ICON.grid, () => toggleOverview()),
      button('Presenter view', 'p', ICON.screen, openPresenter),
      button('Keyboard shortcuts', '?', ICON.help, () => toggleHelp())));
  }

  /* ---------- navigation ---------- */
  function next(skip) {
    if (!skip && frag < fragCount(cur)) go(cur, frag + 1);
    else if (cur < M - 1) go(cur + 1, skip ? fragCount(cur + 1) : 0);
  }
  function prev(skip) {
    if (!skip && frag > 0) go(cur, frag - 1);
    else if (cur > 0) go(cur - 1, fragCount(cur - 1));
  }

  // how: {remote} = state came from another window; {history: 'push'|'replace'|false}
  function go(i, f = 0, how = {}) {
    i = clamp(i | 0, 0, M - 1);
    f = clamp(f | 0, 0, fragCount(i));
    if (i === cur && f === frag) return;
    const from = cur;
    cur = i;
    frag = f;
    showFragments(slides[i], f);
    if (from !== i) {
      if (from >= 0) slides[from].classList.remove('sk-on');
      slides[i].classList.add('sk-on');
      if (from >= 0 && !presenter) transition(slides[from], slides[i], i > from);
      live.textContent = label(i);
      const mode = how.history ?? (how.remote ? 'replace' : 'push');
      if (mode && location.hash !== '#' + (i + 1)) {
        try { history[mode + 'State'](null, '', '#' + (i + 1)); } catch { /* some file:// setups refuse */ }
      }
    }
    counter.textContent = `${i + 1} / ${M}`;
    prevBtn.disabled = i === 0 && f === 0;
    nextBtn.disabled = i === M - 1 && f === fragCount(i);
    progress.firstChild.style.width = (M > 1 ? (i / (M - 1)) * 100 : 100) + '%';
    if (pv) pv.update();
    if (!how.remote && from >= 0) send();
  }

  function fromHash() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return null;
    if (/^\d+$/.test(id)) return +id - 1;
    const target = document.getElementById(id);
    const sec = target && target.closest('section');
    const i = slides.indexOf(sec && sec.parentElement === deck ? sec : null);
    return i >= 0 ? i : null;
  }
  function onHash() {
    const i = fromHash();
    if (i !== null && i !== cur) go(i, 0, { history: false });
    deck.scrollTo(0, 0);
  }
  addEventListener('popstate', onHash);
  addEventListener('hashchange', onHash);

  /* ---------- transitions (Marp semantics: forward uses the leaving slide's, back the arriving slide's) ---------- */
  const EFFECTS = {
    fade: () => [[{ opacity: 1 }, { opacity: 0 }], [{ opacity: 0 }, { opacity: 1 }]],
    'fade-out': () => [[{ opacity: 1 }, { opacity: 0 }], [{ opacity: 0 }, { opacity: 0, offset: 0.5 }, { opacity: 1 }]],
    slide: (d) => [null, [{ transform: `translateX(${d * 100}%)` }, { transform: 'none' }]],
    cover: (d) => [null, [{ transform: `translateY(${d * 100}%)` }, { transform: 'none' }]],
    push: (d) => [[{ transform: 'none' }, { transform: `translateX(${-d * 100}%)` }],
      [{ transform: `translateX(${d * 100}%)` }, { transform: 'none' }]],
    reveal: (d) => [[{ transform: 'none' }, { transform: `translateX(${-d * 100}%)` }], null, true],
    wipe: (d) => [null, [{ clipPath: d > 0 ? 'inset(0 0 0 100%)' : 'inset(0 100% 0 0)' }, { clipPath: 'inset(0)' }]],
    iris: () => [null, [{ clipPath: 'circle(0% at 50% 50%)' }, { clipPath: 'circle(75% at 50% 50%)' }]],
    zoom: () => [[{ opacity: 1, transform: 'none' }, { opacity: 0, transform: 'scale(1.4)' }],
      [{ opacity: 0, transform: 'scale(.6)' }, { opacity: 1, transform: 'none' }]],
  };
  let running = [];
  function transition(out, inc, forward) {
    running.forEach((a) => a.cancel());
    running = [];
    slides.forEach((s) => s.classList.remove('sk-leaving', 'sk-over'));
    // no `transition` directive: the slide changes at once, as in Marp ('' splits into [''], not [])
    const [name, dur = ''] = ((forward ? out : inc).dataset.transition || '').trim().split(/\s+/);
    if (!name || name === 'none' || reducedMotion.matches || !inc.animate) return;
    const ms = /ms$/.test(dur) ? parseFloat(dur) : parseFloat(dur) * 1000 || 500;
    const [outFx, inFx, outOnTop] = (EFFECTS[name] || EFFECTS.fade)(forward ? 1 : -1);
    out.classList.add('sk-leaving');
    if (outOnTop) out.classList.add('sk-over');
    const opts = { duration: ms, easing: 'ease-in-out' };
    if (outFx) running.push(out.animate(outFx, opts));
    if (inFx) running.push(inc.animate(inFx, opts));
    const mine = running;
    Promise.all(mine.map((a) => a.finished)).then(() => {
      if (running === mine) out.classList.remove('sk-leaving', 'sk-over');
    }, () => {});
    if (!running.length) out.classList.remove('sk-leaving');
  }

  /* ---------- blackout, help, fullscreen, overview ---------- */
  function setBlank(b, remote) {
    blank = b;
    if (b) root.dataset.skBlank = b; else delete root.dataset.skBlank;
    live.textContent = b ? `Screen ${b}ed out` : label(cur);
    if (pv) pv.tick();
    if (!remote) send();
  }
  const toggleBlank = (b) => setBlank(blank === b ? '' : b);
  function toggleHelp(show = helpBox.hidden) {
    helpBox.hidden = !show;
    if (show) helpBox.querySelector('button').focus();
  }
  function fullscreen() {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (root.requestFullscreen) root.requestFullscreen().catch(() => {});
  }

  let thumbs = [];
  let sel = 0;
  function toggleOverview(show = overview.hidden) {
    if (show && !thumbs.length) {
      const grid = h('div', { class: 'sk-grid' });
      thumbs = slides.map((s, i) => {
        const st = stage('sk-thumb-stage');
        st.append(copy(i, fragCount(i)));
        const t = h('div', {
          class: 'sk-thumb', role: 'button', tabindex: '-1', 'aria-label': label(i),
          on: { click() { pick(i); }, focus() { sel = i; } },
        }, st, h('span', { class: 'sk-thumb-n', 'aria-hidden': 'true' }, String(i + 1)));
        grid.append(t);
        return t;
      });
      overview.append(grid);
    }
    overview.hidden = !show;
    root.classList.toggle('sk-overview-open', show);
    if (show) {
      thumbs.forEach((t, i) => t.classList.toggle('sk-current', i === cur));
      select(cur);
    } else if (overview.contains(document.activeElement)) document.activeElement.blur();
  }
  function select(i) {
    sel = clamp(i, 0, M - 1);
    thumbs.forEach((t, k) => t.setAttribute('tabindex', k === sel ? '0' : '-1'));
    thumbs[sel].focus();
    thumbs[sel].scrollIntoView({ block: 'nearest' });
  }
  function pick(i) {
    toggleOverview(false);
    go(i, 0);
  }
  function overviewKey(e) {
    const cols = getComputedStyle(overview.firstChild).gridTemplateColumns.split(' ').length;
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols, Home: -M, End: M };
    if (e.key in moves) select(sel + moves[e.key]);
    else if (e.key === 'Enter' || e.key === ' ') pick(sel);
    else if (e.key === 'Escape' || e.key === 'o') toggleOverview(false);
    else return;
    e.preventDefault();
  }

  /* ---------- presenter view ---------- */
  function openPresenter() {
    const u = new URL(location.href);
    u.searchParams.set('view', 'presenter');
    u.hash = '#' + (cur + 1);
    const w = window.open(u.href, 'sk-presenter', 'popup,width=1280,height=800');
    if (w) w.focus();
  }

  function buildPresenter() {
    const curStage = stage('sk-pv-stage');
    const nextStage = stage('sk-pv-stage');
    const nextLabel = h('h2', {}, 'Next');
    const notesBox = h('div', { class: 'sk-pv-notes', tabindex: '0', role: 'region', 'aria-label': 'Speaker notes' });
    const timer = h('span', { class: 'sk-timer', role: 'timer', 'aria-label': 'Elapsed time' }, '0:00');
    const clock = h('span', { class: 'sk-clock', 'aria-label': 'Time of day' });
    const blankBadge = h('span', { class: 'sk-pv-blank' });
    let started = Date.now(), banked = 0, ticking = true;
    const pauseBtn = h('button', { type: 'button', class: 'sk-btn sk-text', on: { click: pause } }, 'Pause');
    function pause() {
      if (ticking) banked += Date.now() - started; else started = Date.now();
      ticking = !ticking;
      pauseBtn.textContent = ticking ? 'Pause' : 'Resume';
      tick();
    }
    function reset() { banked = 0; started = Date.now(); tick(); }
    function tick() {
      const s = Math.floor((banked + (ticking ? Date.now() - started : 0)) / 1000);
      const mm = Math.floor(s / 60) % 60, ss = String(s % 60).padStart(2, '0');
      timer.textContent = s >= 3600 ? `${Math.floor(s / 3600)}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
      timer.classList.toggle('sk-paused', !ticking);
      clock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      blankBadge.textContent = blank ? `Screen ${blank}ed out` : '';
    }
    setInterval(tick, 500);
    let size = +store('slidekit:notes-size') || 22;
    function notesSize(d) {
      size = clamp(size + d, 10, 64);
      notesBox.style.fontSize = size + 'px';
      store('slidekit:notes-size', size);
    }
    notesSize(0);
    document.body.append(h('div', { class: 'sk-ui sk-pv' },
      h('section', { class: 'sk-pv-cur', 'aria-label': 'Current slide' }, h('h2', {}, 'Current'), curStage),
      h('section', { class: 'sk-pv-next', 'aria-label': 'Next slide' }, nextLabel, nextStage),
      h('section', { class: 'sk-pv-notes-pane', 'aria-label': 'Notes' }, notesBox),
      h('nav', { class: 'sk-pv-bar', 'aria-label': 'Presenter controls' },
        prevBtn, counter, nextBtn,
        h('span', { class: 'sk-sep' }), timer, pauseBtn,
        h('button', { type: 'button', class: 'sk-btn sk-text', on: { click: reset } }, 'Reset'),
        h('span', { class: 'sk-sep' }), clock, blankBadge,
        h('span', { class: 'sk-grow' }),
        button('Smaller notes', '−', 'M5 12h14', () => notesSize(-2)),
        button('Larger notes', '+', 'M5 12h14M12 5v14', () => notesSize(2)),
        button('Overview', 'o', ICON.grid, () => toggleOverview()),
        button('Keyboard shortcuts', '?', ICON.help, () => toggleHelp()))));
    document.title = 'Presenter: ' + document.title;
    tick();
    return {
      notesSize,
      tick,
      update() {
        curStage.replaceChildren(copy(cur, frag));
        const more = frag < fragCount(cur);
        if (more || cur < M - 1) {
          nextStage.replaceChildren(more ? copy(cur, frag + 1) : copy(cur + 1, 0));
          nextLabel.textContent = more ? 'Next: fragment' : `Next: slide ${cur + 2}`;
        } else {
          nextStage.replaceChildren(h('p', { class: 'sk-end' }, 'End of the deck'));
          nextLabel.textContent = 'Next';
        }
        const note = notes[cur + 1];
        notesBox.replaceChildren(...(note && note.childNodes.length
          ? [...note.childNodes].map((n) => n.cloneNode(true)) : [h('p', { class: 'sk-empty' }, 'No notes for this slide.')]));
        notesBox.scrollTop = 0;
        tick();
      },
    };
  }

  /* ---------- sync between windows: BroadcastChannel, and localStorage for browsers without it ---------- */
  const me = Math.random().toString(36).slice(2);
  const lastSeq = {};
  let seq = 0;
  let channel = null;
  try { channel = new BroadcastChannel(KEY); channel.onmessage = (e) => receive(e.data); } catch { /* unsupported */ }
  addEventListener('storage', (e) => {
    if (e.key === KEY && e.newValue) try { receive(JSON.parse(e.newValue)); } catch { /* foreign value */ }
  });
  function send(type = 'state') {
    const msg = { type, from: me, seq: ++seq, i: cur, f: frag, blank };
    try { if (channel) channel.postMessage(msg); } catch { /* closed */ }
    store(KEY, JSON.stringify(msg));
  }
  function receive(m) {
    if (!m || m.from === me || m.seq <= (lastSeq[m.from] || 0)) return;
    lastSeq[m.from] = m.seq;
    if (m.type === 'hello') { if (!presenter) send(); return; }
    if (m.type === 'here' && !presenter) return;   // a new audience window moves only the presenter
    go(m.i, m.f, { remote: true });
    if (m.blank !== blank) setBlank(m.blank, true);
  }

  /* ---------- input ---------- */
  let typed = '';
  let typedTimer = 0;
  addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target instanceof Element ? e.target : document.body;
    if (t.closest('input, textarea, select, video, audio, [contenteditable]:not([contenteditable="false"])')) return;
    if (!overview.hidden) return overviewKey(e);
    if (!helpBox.hidden && (e.key === 'Escape' || e.key === '?')) { toggleHelp(false); return e.preventDefault(); }
    if ((e.key === 'Enter' || e.key === ' ') && t.closest('button, a[href], [role="button"]')) return;
    const k = e.key;
    if (/^[0-9]$/.test(k)) {
      typed += k;
      clearTimeout(typedTimer);
      typedTimer = setTimeout(() => { typed = ''; }, 3000);
      return;
    }
    if (k === 'Enter' && typed) { go(+typed - 1, 0); typed = ''; return e.preventDefault(); }
    typed = '';
    switch (k) {
      case 'ArrowRight': case 'ArrowDown': next(e.shiftKey); break;
      case 'PageDown': case 'Enter': next(); break;
      case ' ': if (e.shiftKey) prev(); else next(); break;
      case 'ArrowLeft': case 'ArrowUp': prev(e.shiftKey); break;
      case 'PageUp': prev(); break;
      case 'Home': go(0, 0); break;
      case 'End': go(M - 1, fragCount(M - 1)); break;
      case 'f': case 'F': fullscreen(); break;
      case 'o': case 'O': case 'Escape': toggleOverview(); break;
      case 'b': case 'B': case '.': toggleBlank('black'); break;
      case 'w': case 'W': toggleBlank('white'); break;
      case 'p': case 'P': if (!presenter) openPresenter(); break;
      case '?': toggleHelp(); break;
      case '+': case '=': if (pv) pv.notesSize(2); break;
      case '-': case '_': if (pv) pv.notesSize(-2); break;
      default: return;
    }
    e.preventDefault();
  });

  let wheelAt = 0;
  addEventListener('wheel', (e) => {
    if (!overview.hidden || e.ctrlKey || (e.target instanceof Element && e.target.closest('.sk-pv-notes, .sk-help'))) return;
    const d = Math.abs(e.deltaY) >= Math.abs(e.deltaX) ? e.deltaY : e.deltaX;
    const now = Date.now();
    const quiet = now - wheelAt > 400;   // one move per burst of wheel events
    wheelAt = now;
    if (quiet && Math.abs(d) >= 4) { if (d > 0) next(); else prev(); }
  }, { passive: true });

  let touch = null;
  addEventListener('touchstart', (e) => {
    touch = e.touches.length === 1 ? [e.touches[0].clientX, e.touches[0].clientY] : null;
    active();
  }, { passive: true });
  addEventListener('touchend', (e) => {
    if (!touch || !overview.hidden || !e.changedTouches.length) return;
    const dx = e.changedTouches[0].clientX - touch[0];
    const dy = e.changedTouches[0].clientY - touch[1];
    touch = null;
    if (Math.max(Math.abs(dx), Math.abs(dy)) < 40) return;
    if ((Math.abs(dx) > Math.abs(dy) ? dx : dy) < 0) next(); else prev();
  }, { passive: true });

  // Controls fade out while the mouse is idle.
  let idleTimer = 0;
  function active() {
    root.classList.remove('sk-idle');
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => root.classList.add('sk-idle'), 2500);
  }
  addEventListener('mousemove', active);

  // Keep the screen awake while the deck is shown, where the browser allows it.
  let lock = null;
  async function wake() {
    try {
      if (!lock && navigator.wakeLock && document.visibilityState === 'visible') {
        lock = await navigator.wakeLock.request('screen');
        lock.addEventListener('release', () => { lock = null; });
      }
    } catch { /* refused: not visible, no permission */ }
  }
  document.addEventListener('visibilitychange', wake);
  addEventListener('click', wake);
  addEventListener('keydown', wake);

  /* ---------- start ---------- */
  go(fromHash() ?? 0, 0, { history: 'replace' });
  deck.scrollTo(0, 0);
  active();
  wake();
  if (presenter) {
    // join the talk at once: the last state any window stored, then the audience's answer to hello
    if (fromHash() === null) try { receive(JSON.parse(store(KEY))); } catch { /* none stored */ }
    send('hello');
  } else send('here');   // a presenter open before this window follows it
})();
