/* slidekit fit: sizes fitting headings, long code blocks and `fit: true` slides in the browser, as the PDF
   build does from WeasyPrint's layout (slidekit/markdown/fit.py: same rules, same constants).
   - h1..h6[data-sk-fit]: the font size that makes the text fill its container's width (x0.995), no taller
     than the slide's content box; letter spacing is scaled along;
   - pre: a block whose text is wider than its room, or whose content is taller than the theme's
     --sk-code-max-height, gets a smaller font, in em (x0.99), never a larger one;
   - section[data-sk-fit="slide"]: a smaller font size on the section (bisection over the scale, down to
     0.2) until its content ends inside the section's content box.
   Runs before the viewer (viewer.js) makes its copies of the slides, and again on `load` and when web fonts
   have loaded; the copies the viewer made by then get the new sizes. Measures in slide coordinates: the
   viewer's hiding and scaling of slides is lifted while it measures, and rectangles are divided by the
   slide's scale. Hand-written, no dependencies, no network. See docs/html-contract.md. */
(() => {
  'use strict';
  const HEADING_SLACK = 0.995;
  const CODE_SLACK = 0.99;
  const MIN_SCALE = 0.2;
  const ROUNDS = 6;
  const TOLERANCE = 1;
  const HEADINGS = [1, 2, 3, 4, 5, 6].map((n) => `h${n}[data-sk-fit]`).join(',');
  const root = document.documentElement;
  const mine = new WeakSet();   // elements whose inline sizes this script wrote
  const px = (v) => parseFloat(v) || 0;
  const round = (v, d) => Math.round(v * 10 ** d) / 10 ** d;

  function deckSlides() {
    const deck = document.querySelector('.sk-deck');
    return deck ? [...deck.children].filter((e) => e.tagName === 'SECTION') : [];
  }

  // How much the slide is scaled on screen (the viewer's `scale`, a transition's transform): 1 for none.
  function scaleOf(sec) {
    const w = sec.getBoundingClientRect().width;
    return sec.offsetWidth && w ? w / sec.offsetWidth : 1;
  }

  // Leftmost and rightmost x (client coordinates) of the text and images under `el`.
  function textExtent(el) {
    let left = Infinity, right = -Infinity;
    const range = document.createRange();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      let rects;
      if (n.nodeType === Node.TEXT_NODE) {
        if (!n.data.trim()) continue;
        range.selectNodeContents(n);
        rects = range.getClientRects();
      } else if (/^(IMG|SVG|svg|VIDEO|CANVAS|math|MATH)$/.test(n.tagName)) {
        rects = n.getClientRects();
      } else continue;
      for (const r of rects) {
        if (r.width <= 0) continue;
        left = Math.min(left, r.left);
        right = Math.max(right, r.right);
      }
    }
    return right > left ? right - left : 0;
  }

  const sides = (cs, what) => (what === 'border'
    ? px(cs.borderLeftWidth) + px(cs.borderRightWidth) : px(cs[what + 'Left']) + px(cs[what + 'Right']));

  // The content box of the slide, from its border box's top edge (slide px).
  function contentBox(sec) {
    const cs = getComputedStyle(sec);
    const top = px(cs.borderTopWidth) + px(cs.paddingTop);
    return { top, bottom: px(cs.borderTopWidth) + sec.clientHeight - px(cs.paddingBottom) };
  }

  // A heading or code block: its font size and its text's width against its room (slide px).
  function measureText(el, sec) {
    const cs = getComputedStyle(el);
    const parent = el.parentElement;
    const pcs = getComputedStyle(parent);
    const own = sides(cs, 'margin') + sides(cs, 'border') + sides(cs, 'padding');
    let room = parent.clientWidth - sides(pcs, 'padding') - own;
    const inner = el.clientWidth - sides(cs, 'padding');
    if (room <= 0 || (el.tagName === 'PRE' && inner > 0 && inner < room)) room = inner;
    const box = contentBox(sec);
    return {
      font: px(cs.fontSize), parentFont: px(pcs.fontSize), room, text: textExtent(el) / scaleOf(sec),
      height: el.offsetHeight, roomHeight: box.bottom - box.top,
      contentHeight: el.scrollHeight - px(cs.paddingTop) - px(cs.paddingBottom),   // a flex column may shrink it
      maxHeight: px(cs.getPropertyValue('--sk-code-max-height')),
      spacing: cs.letterSpacing === 'normal' ? 0 : px(cs.letterSpacing),
    };
  }

  function headingSize(m) {
    if (m.text <= 0 || m.font <= 0) return null;
    let factor = (m.room / m.text) * HEADING_SLACK;
    if (m.height > 0 && m.roomHeight > 0) factor = Math.min(factor, m.roomHeight / m.height);
    return round(m.font * factor, 2);
  }

  // Within its width and within the theme's bound on its height (Marp's auto-scaling of pre).
  function codeScale(m) {
    let factor = 1;
    if (m.text > 0 && m.text > m.room + 0.5) factor = m.room / m.text;
    if (m.maxHeight > 0 && m.contentHeight > m.maxHeight + 0.5) factor = Math.min(factor, m.maxHeight / m.contentHeight);
    return factor >= 1 ? null : Math.max(0.05, round(factor * CODE_SLACK, 4));
  }

  // How far down the slide's content in flow reaches (slide px from its top edge); header, footer,
  // backgrounds and other positioned boxes aside, a split slide's column looked into.
  function reach(sec) {
    const top = sec.getBoundingClientRect().top;
    const k = scaleOf(sec);
    let lowest = contentBox(sec).top;
    const walk = (el) => {
      for (const child of el.children) {
        const cs = getComputedStyle(child);
        if (cs.display === 'none') continue;
        if (/^(absolute|fixed)$/.test(cs.position) && !child.classList.contains('sk-split')) continue;
        if (cs.display === 'contents') { walk(child); continue; }
        const r = child.getBoundingClientRect();
        lowest = Math.max(lowest, (r.bottom - top) / k);
        if (cs.overflowY === 'visible') walk(child);
      }
    };
    walk(sec);
    return lowest;
  }

  function fits(sec) {
    return reach(sec) <= contentBox(sec).bottom + TOLERANCE;
  }

  function firstGuess(sec) {
    const box = contentBox(sec);
    const used = reach(sec) - box.top;
    return used > 0 ? Math.max(MIN_SCALE, Math.min(0.99, ((box.bottom - box.top) / used) * 0.99)) : 1;
  }

  // Undo what an earlier run wrote, so that every run starts from the theme's sizes.
  function reset(slides) {
    for (const sec of slides) {
      for (const el of [sec, ...sec.querySelectorAll(HEADINGS + ',pre')]) {
        if (!mine.has(el)) continue;
        el.style.removeProperty('font-size');
        el.style.removeProperty('letter-spacing');
        delete el.dataset.skFitScale;
        if (!el.getAttribute('style')) el.removeAttribute('style');
      }
    }
  }

  function setSize(el, value, spacing) {
    mine.add(el);
    el.style.setProperty('font-size', value);
    if (spacing !== undefined) el.style.setProperty('letter-spacing', spacing);
  }

  // Headings and code blocks: text width is (nearly) linear in the font size, so a step or two.
  function fitText(slides) {
    const items = [];
    for (const sec of slides) {
      if (!sec.offsetWidth) continue;   // not rendered (a hidden frame): nothing to measure
      for (const el of sec.querySelectorAll(HEADINGS + ',pre')) {
        if (el.hasAttribute('style') && !mine.has(el)) continue;   // a style of its own is left alone
        items.push({ el, sec, heading: el.tagName !== 'PRE', ratio: undefined });
      }
    }
    let active = items;
    for (let step = 0; step < 3 && active.length; step++) {
      const writes = [];
      for (const item of active) {        // read everything, then write: one layout per step
        const m = measureText(item.el, item.sec);
        if (item.heading) {
          if (item.ratio === undefined) item.ratio = m.spacing && m.font ? m.spacing / m.font : 0;
          const size = headingSize(m);
          if (size && Math.abs(size - m.font) > m.font * 0.003) {
            writes.push([item, size + 'px', item.ratio ? round(size * item.ratio, 3) + 'px' : undefined]);
          }
        } else {
          const factor = codeScale(m);
          if (factor) writes.push([item, round((m.font * factor) / (m.parentFont || m.font), 4) + 'em']);
        }
      }
      for (const [item, size, spacing] of writes) setSize(item.el, size, spacing);
      active = writes.map(([item]) => item);
    }
  }

  // `fit: true` slides: bisect over the section's font scale, all slides at once.
  function fitSlides(slides) {
    const todo = [];
    const search = new Map();
    for (const sec of slides) {
      if (sec.dataset.skFit !== 'slide' || !sec.offsetWidth || fits(sec)) continue;
      search.set(sec, { low: 0, high: 1, base: px(getComputedStyle(sec).fontSize) });
      todo.push([sec, firstGuess(sec)]);
    }
    const setScale = (sec, scale) => {
      setSize(sec, round(search.get(sec).base * scale, 2) + 'px');
      sec.dataset.skFitScale = String(round(scale, 4));
    };
    let current = todo;
    for (let step = 0; step < ROUNDS && current.length; step++) {
      for (const [sec, scale] of current) setScale(sec, scale);
      const next = [];
      for (const [sec, scale] of current) {
        const s = search.get(sec);
        if (fits(sec)) s.low = Math.max(s.low, scale); else s.high = Math.min(s.high, scale);
        if (s.low && s.high - s.low < 0.02) continue;
        let guess;
        if (!s.low) {
          if (scale <= MIN_SCALE) continue;
          guess = Math.max(MIN_SCALE, scale * firstGuess(sec));
        } else guess = (s.low + s.high) / 2;
        next.push([sec, round(guess, 4)]);
      }
      current = next;
    }
    for (const [sec, s] of search) setScale(sec, s.low || MIN_SCALE);
  }

  // The viewer's copies of a slide (overview, presenter view) carry its id as data-sk-id.
  function syncCopies(slides) {
    const byId = new Map(slides.map((s) => [s.id, s]));
    for (const copy of document.querySelectorAll('.sk-deck > section[data-sk-id]')) {
      const from = byId.get(copy.dataset.skId);
      if (!from) continue;
      const a = [from, ...from.querySelectorAll(HEADINGS + ',pre')];
      const b = [copy, ...copy.querySelectorAll(HEADINGS + ',pre')];
      if (a.length !== b.length) continue;
      a.forEach((el, i) => {
        if (!mine.has(el)) return;
        for (const p of ['font-size', 'letter-spacing']) {
          const v = el.style.getPropertyValue(p);
          if (v) b[i].style.setProperty(p, v); else b[i].style.removeProperty(p);
        }
        if (el.dataset.skFitScale) b[i].dataset.skFitScale = el.dataset.skFitScale;
        else delete b[i].dataset.skFitScale;
      });
    }
  }

  function fitAll() {
    const slides = deckSlides();
    if (!slides.length) return;
    // The viewer shows one slide and hides the rest (display: none): lift that while measuring. Nothing is
    // painted in between, so this does not show.
    const lifted = ['sk-viewer', 'sk-presenter'].filter((c) => root.classList.contains(c));
    root.classList.remove(...lifted);
    try {
      reset(slides);
      fitText(slides);
      fitSlides(slides);
    } finally {
      root.classList.add(...lifted);
    }
    syncCopies(slides);
  }

  function safely() {
    try { fitAll(); } catch (e) { /* a deck that cannot be measured keeps the theme's sizes */ }
  }

  safely();
  if (document.readyState !== 'complete') addEventListener('load', safely, { once: true });
  if (document.fonts) {
    document.fonts.ready.then(safely, () => {});
    let queued = false;
    document.fonts.addEventListener('loadingdone', () => {
      if (queued) return;
      queued = true;
      setTimeout(() => { queued = false; safely(); }, 0);
    });
  }
})();
