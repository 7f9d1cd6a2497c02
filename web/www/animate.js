// CarePath's animated day: replication 0 of a run, every patient a dot, drawn on a canvas.
// Self-contained (no imports): the page imports it, and `carepath animate` inlines it into a
// single offline HTML file. `mountAnimation(container, data)` takes the JSON of
// web/src/animation.rs (`Animation`): per variant, columns of events (time, patient,
// activity code, place) in time order, the places (stations, then delay steps) with their
// layout column and row, and the class and workflow of each patient.
//
// Smooth for a 10,000-patient day: the events are regrouped once into per-patient timelines
// (typed arrays); each frame finds every patient's state by a binary search in its own
// timeline at the clock time, counts queues in preallocated arrays, and draws the dots one
// colour at a time in a single path. Nothing big is allocated per frame. The state depends
// only on the clock, so the slider can jump anywhere.
//
// For tests and scripts the container carries data attributes: `time` (clock minutes),
// `state` (playing, paused, end), `arrived` and `completed` (JSON, per variant label, counted
// from the events up to the clock), `events`, `fps` and `drawMs` (mean time to draw a frame).

const ACT = {
  arrive: 0, join: 1, start: 2, end: 3, delayStart: 4, delayEnd: 5, balk: 6, renege: 7, preempted: 8, leave: 9,
};
const AREA = { none: 0, queue: 1, service: 2, delay: 3, entrance: 4, between: 5, exit: 6 };
const CLASS_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
const WORKFLOW_COLOURS = ['#e07b00', '#1565c0']; // paper, digital
const SPEEDS = [1, 2, 5, 10, 20, 30, 60];
const STYLE_ID = 'carepath-animate-style';
const CSS = `
.cp-anim { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; }
.cp-anim-bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; margin: .4rem 0; }
.cp-anim-bar button { font: inherit; padding: .3rem .9rem; min-width: 5.5rem; cursor: pointer; }
.cp-anim-bar label { display: inline-flex; align-items: center; gap: .35rem; }
.cp-anim-bar select { font: inherit; }
.cp-anim-clock { font-variant-numeric: tabular-nums; font-size: 1.25rem; font-weight: 600; min-width: 9ch; }
.cp-anim-slider { flex: 1 1 18rem; display: flex; align-items: center; gap: .4rem; }
.cp-anim-slider input { flex: 1; }
.cp-anim-note { color: #555; font-size: .9rem; }
.cp-anim canvas { display: block; width: 100%; border: 1px solid #d0d7de; border-radius: 4px; background: #fff; }
.cp-anim-end { margin: .4rem 0; font-size: .95rem; }
`;

/** The clock text of `t` minutes (day N when the run spans days). */
function clock(t, days) {
  const m = Math.max(0, Math.round(t));
  const hh = String(Math.floor((m % 1440) / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return days ? `day ${Math.floor(m / 1440) + 1} · ${hh}:${mm}` : `${hh}:${mm}`;
}

/** Index of the first element of the sorted `a[from..to)` greater than `x` (`to` if none). */
function upper(a, to, x, from = 0) {
  let lo = from; let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** One variant's day, regrouped into per-patient timelines (built once). */
function prepare(day) {
  const n = day.time.length;
  const P = day.patients;
  const time = Float64Array.from(day.time);
  const act = Uint8Array.from(day.activity);
  const place = Int16Array.from(day.place);
  const start = new Int32Array(P + 1);
  for (let i = 0; i < n; i++) start[day.patient[i]] += 1; // patient ids are 1-based
  for (let p = 0; p < P; p++) start[p + 1] += start[p];
  // start[p] .. start[p+1]: patient p+1's events (event indices into the columns).
  const fill = start.slice(0, P);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[day.patient[i] - 1]++] = i;
  const tl = new Float64Array(n); // the timelines' times, contiguous for the binary search
  for (let k = 0; k < n; k++) tl[k] = time[order[k]];
  const arrivals = new Float64Array(n);
  const completions = new Float64Array(n);
  const unseen = new Float64Array(n);
  let na = 0; let nc = 0; let nu = 0;
  const prevAct = new Int8Array(P).fill(-1);
  for (let i = 0; i < n; i++) {
    const p = day.patient[i] - 1;
    const a = act[i];
    if (a === ACT.arrive) arrivals[na++] = time[i];
    if (a === ACT.leave) {
      if (prevAct[p] === ACT.balk || prevAct[p] === ACT.renege) unseen[nu++] = time[i];
      else completions[nc++] = time[i];
    }
    prevAct[p] = a;
  }
  return {
    label: day.label, classes: day.classes, places: day.places, P, n,
    time, act, place, start, order, tl,
    cls: Uint16Array.from(day.class), digital: Uint8Array.from(day.digital),
    arrivals, na, completions, nc, unseen, nu,
    // Per frame (preallocated).
    area: new Uint8Array(P), at: new Int16Array(P), ev: new Int32Array(P),
    x: new Float32Array(P), y: new Float32Array(P), size: new Float32Array(P),
    queue: new Int32Array(day.places.length), serving: new Int32Array(day.places.length),
    head: new Float64Array(day.places.length), slotQ: new Int32Array(day.places.length),
    slotS: new Int32Array(day.places.length), entrance: 0, slotE: 0,
    counts: { arrived: 0, completed: 0, unseen: 0 },
    boxes: [],
  };
}

export function mountAnimation(container, data) {
  if (!document.getElementById(STYLE_ID)) {
    const style = document.createElement('style');
    style.id = STYLE_ID;
    style.textContent = CSS;
    document.head.append(style);
  }
  const days = data.variants.map(prepare);
  let t0 = Infinity; let t1 = -Infinity;
  for (const d of days) {
    if (d.n) { t0 = Math.min(t0, d.time[0]); t1 = Math.max(t1, d.time[d.n - 1]); }
  }
  if (!Number.isFinite(t0)) { t0 = data.open; t1 = data.open + 60; }
  t0 = Math.min(t0, data.open);
  t1 = Math.max(t1, t0 + 1);
  const multiDay = t1 - Math.floor(t0 / 1440) * 1440 > 1440;
  const close = data.close;

  // ---------------------------------------------------------------- controls
  const el = (tag, props = {}, ...kids) => {
    const e = document.createElement(tag);
    Object.assign(e, props);
    for (const k of kids) e.append(k);
    return e;
  };
  const uid = `cp-anim-${Math.random().toString(36).slice(2, 8)}`;
  const playBtn = el('button', { type: 'button', textContent: 'Play', className: 'cp-anim-play' });
  const clockOut = el('output', { className: 'cp-anim-clock', textContent: clock(t0, multiDay) });
  clockOut.setAttribute('aria-live', 'off');
  const speed = el('select', { id: `${uid}-speed` },
    ...SPEEDS.map((s) => el('option', { value: String(s), textContent: `${s} min/s` })));
  speed.value = '10';
  const colour = el('select', { id: `${uid}-colour` },
    el('option', { value: 'workflow', textContent: 'workflow (paper / digital)' }),
    el('option', { value: 'class', textContent: 'patient class' }));
  colour.value = days.some((d) => d.digital.some((x) => x)) ? 'workflow' : 'class';
  const slider = el('input', {
    type: 'range', id: `${uid}-time`, min: String(t0), max: String(t1), step: '0.5', value: String(t0),
  });
  slider.setAttribute('aria-label', 'Clock time');
  const endBtn = el('button', { type: 'button', textContent: 'End', title: 'Jump to the end of the day' });
  const note = el('span', { className: 'cp-anim-note' });
  const endBox = el('p', { className: 'cp-anim-end', hidden: true });
  endBox.setAttribute('role', 'status');
  const canvas = el('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Animated day of ${data.scenario}: patients as dots at each station, ${days.map((d) => d.label).join(' and ')}`);
  const root = el('div', { className: 'cp-anim' },
    el('div', { className: 'cp-anim-bar' }, playBtn, clockOut,
      el('label', { htmlFor: speed.id }, 'Speed', speed),
      el('label', { htmlFor: colour.id }, 'Colour by', colour)),
    el('div', { className: 'cp-anim-bar' },
      el('span', { className: 'cp-anim-slider' }, slider, endBtn), note),
    canvas, endBox);
  container.replaceChildren(root);
  container.dataset.events = JSON.stringify(Object.fromEntries(days.map((d) => [d.label, d.n])));

  // ---------------------------------------------------------------- layout
  const ctx = canvas.getContext('2d');
  const BAND_HEAD = 24; const LEGEND = 26; const SIDE = 58; const GAP = 12;
  let W = 0; let H = 0; let bandH = 0;

  function layout() {
    W = Math.max(720, Math.floor(root.clientWidth || container.clientWidth || 1100));
    const rows = Math.max(1, ...days.flatMap((d) => d.places.filter((p) => p.column != null).map((p) => p.row + 1)));
    bandH = BAND_HEAD + 14 + rows * 128;
    H = LEGEND + days.length * bandH;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    canvas.style.height = `${H}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    days.forEach((d, v) => {
      const top = LEGEND + v * bandH;
      const shown = d.places.filter((p) => p.column != null);
      const cols = Math.max(1, ...shown.map((p) => p.column + 1));
      const perCol = new Array(cols).fill(0);
      for (const p of shown) perCol[p.column] = Math.max(perCol[p.column], p.row + 1);
      const colW = (W - 2 * SIDE) / cols;
      d.top = top;
      d.entrance = { x: 6, y: top + BAND_HEAD + 26, w: SIDE - 14, h: bandH - BAND_HEAD - 40 };
      d.exit = { x: W - SIDE + 8, y: top + BAND_HEAD + 4, w: SIDE - 14, h: bandH - BAND_HEAD - 18 };
      d.boxes = d.places.map((p) => {
        if (p.column == null) return null;
        const n = perCol[p.column];
        const h = (bandH - BAND_HEAD - 10) / n - 8;
        const x = SIDE + p.column * colW + GAP / 2;
        const y = top + BAND_HEAD + 4 + p.row * (h + 8);
        const w = colW - GAP;
        const inner = { x: x + 4, y: y + 34, w: w - 8, h: h - 38 };
        const box = { x, y, w, h, kind: p.kind, servers: p.servers, title: fit(p.name, w - 8, 'bold 12px system-ui, sans-serif') };
        if (p.kind === 'station') {
          const qw = Math.floor(inner.w * 0.58);
          box.q = { x: inner.x, y: inner.y + 12, w: qw - 4, h: inner.h - 12 };
          box.s = { x: inner.x + qw + 4, y: inner.y + 12, w: inner.w - qw - 4, h: inner.h - 12 };
        } else {
          box.s = { x: inner.x, y: inner.y, w: inner.w, h: inner.h };
        }
        return box;
      });
    });
  }

  /** `text` cut with an ellipsis to fit `width` in `font`. */
  function fit(text, width, font) {
    ctx.font = font;
    if (ctx.measureText(text).width <= width) return text;
    let s = text;
    while (s.length > 1 && ctx.measureText(`${s}…`).width > width) s = s.slice(0, -1);
    return `${s}…`;
  }

  // ---------------------------------------------------------------- state at the clock
  let t = t0;
  let playing = false;

  /** Grid pitch for `count` dots in `r`. */
  const pitchFor = (r, count) => Math.max(1.6, Math.min(7, Math.sqrt((r.w * r.h) / Math.max(count, 1))));

  function slot(r, k, count, d, p) {
    const pitch = pitchFor(r, count);
    const cols = Math.max(1, Math.floor(r.w / pitch));
    const rows = Math.max(1, Math.floor(r.h / pitch));
    const row = Math.min(Math.floor(k / cols), rows - 1);
    d.x[p] = r.x + (k % cols) * pitch + pitch * 0.15;
    d.y[p] = r.y + row * pitch + pitch * 0.15;
    d.size[p] = Math.max(1.2, pitch * 0.72);
  }

  const centre = (r) => [r.x + r.w / 2, r.y + r.h / 2];

  function update(d, tau) {
    d.queue.fill(0); d.serving.fill(0); d.head.fill(Infinity);
    let entrance = 0;
    const { P, start, tl, order, act, place } = d;
    // Pass 1: each patient's current event (binary search in its timeline) and area.
    for (let p = 0; p < P; p++) {
      const a0 = start[p]; const a1 = start[p + 1];
      if (a1 === a0 || t < tl[a0]) { d.area[p] = AREA.none; continue; }
      const k = upper(tl, a1, t, a0) - 1; // the last event at or before t
      const e = order[k];
      const a = act[e];
      const at = place[e];
      d.ev[p] = k;
      d.at[p] = at;
      let area;
      switch (a) {
        case ACT.arrive: area = AREA.entrance; entrance++; break;
        case ACT.join: case ACT.preempted:
          area = AREA.queue; d.queue[at]++;
          if (d.time[e] < d.head[at]) d.head[at] = d.time[e];
          break;
        case ACT.start: area = AREA.service; d.serving[at]++; break;
        case ACT.delayStart: area = AREA.delay; d.serving[at]++; break;
        case ACT.leave: area = t - tl[k] < tau ? AREA.exit : AREA.none; break;
        default: area = at >= 0 ? AREA.between : AREA.none;
      }
      if (at >= 0 && !d.boxes[at] && area !== AREA.exit) area = AREA.none; // a place off the layout
      d.area[p] = area;
    }
    d.entranceCount = entrance;
    // Pass 2: slots, and the trip from the previous place for recent moves.
    d.slotQ.fill(0); d.slotS.fill(0);
    let e2 = 0;
    for (let p = 0; p < P; p++) {
      const area = d.area[p];
      if (area === AREA.none) continue;
      const at = d.at[p];
      const box = at >= 0 ? d.boxes[at] : null;
      switch (area) {
        case AREA.entrance: slot(d.entrance, e2++, entrance, d, p); break;
        case AREA.queue: slot(box.q, d.slotQ[at]++, d.queue[at], d, p); break;
        case AREA.service: case AREA.delay: slot(box.s, d.slotS[at]++, d.serving[at], d, p); break;
        case AREA.between: { const [cx, cy] = centre(box.s); d.x[p] = cx; d.y[p] = cy; d.size[p] = 3; break; }
        default: { const [cx, cy] = centre(d.exit); d.x[p] = cx; d.y[p] = cy; d.size[p] = 3; }
      }
      const k = d.ev[p];
      const since = t - tl[k];
      if (since < tau && k > start[p]) {
        // Came from the previous event's place (or the entrance).
        const prev = place[order[k - 1]];
        const prevBox = prev >= 0 ? d.boxes[prev] : null;
        const same = prev === at && area !== AREA.exit;
        if (!same || act[order[k - 1]] === ACT.join) {
          let from;
          if (prevBox) from = centre(act[order[k - 1]] === ACT.join && prevBox.q ? prevBox.q : prevBox.s);
          else from = centre(d.entrance);
          const f = since / tau;
          const s = f * f * (3 - 2 * f);
          d.x[p] = from[0] + (d.x[p] - from[0]) * s;
          d.y[p] = from[1] + (d.y[p] - from[1]) * s;
          if (area === AREA.exit) d.size[p] = 3;
        }
      }
    }
    d.counts.arrived = upper(d.arrivals, d.na, t);
    d.counts.completed = upper(d.completions, d.nc, t);
    d.counts.unseen = upper(d.unseen, d.nu, t);
  }

  // ---------------------------------------------------------------- drawing
  const fmt = (n) => n.toLocaleString('en-GB');
  const drawTimes = new Float64Array(60);
  let drawN = 0;
  const frameTimes = new Float64Array(120);
  let frameN = 0;

  function colours() {
    return colour.value === 'workflow' ? WORKFLOW_COLOURS : CLASS_COLOURS;
  }

  function drawLegend() {
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    let x = 8;
    const y = LEGEND / 2;
    const items = colour.value === 'workflow'
      ? [['paper', WORKFLOW_COLOURS[0]], ['digital', WORKFLOW_COLOURS[1]]]
      : days[0].classes.map((c, i) => [c, CLASS_COLOURS[i % CLASS_COLOURS.length]]);
    for (const [name, c] of items) {
      ctx.fillStyle = c;
      ctx.fillRect(x, y - 4, 8, 8);
      ctx.fillStyle = '#1f2328';
      ctx.fillText(name, x + 12, y);
      x += 22 + ctx.measureText(name).width;
    }
    ctx.fillStyle = '#555';
    const hint = 'box: queue (left) and in service (right) · wait = how long the first in the queue has waited';
    ctx.textAlign = 'right';
    ctx.fillText(hint, W - 8, y);
    ctx.textAlign = 'left';
  }

  function drawDay(d) {
    const top = d.top;
    ctx.fillStyle = days.length > 1 && days.indexOf(d) % 2 ? '#f6f8fa' : '#fbfcfd';
    ctx.fillRect(0, top, W, bandH);
    ctx.strokeStyle = '#d0d7de';
    ctx.beginPath(); ctx.moveTo(0, top + 0.5); ctx.lineTo(W, top + 0.5); ctx.stroke();
    ctx.textBaseline = 'middle';
    ctx.font = 'bold 14px system-ui, sans-serif';
    ctx.fillStyle = '#1f2328';
    ctx.fillText(d.label, 8, top + BAND_HEAD / 2 + 2);
    const lw = ctx.measureText(d.label).width;
    ctx.font = '12px system-ui, sans-serif';
    const c = d.counts;
    const inside = c.arrived - c.completed - c.unseen;
    ctx.fillText(`arrived ${fmt(c.arrived)} · completed ${fmt(c.completed)}`
      + `${c.unseen ? ` · left unseen ${fmt(c.unseen)}` : ''} · inside now ${fmt(inside)}`, 16 + lw, top + BAND_HEAD / 2 + 2);
    // Entrance and exit.
    ctx.fillStyle = '#555';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText('arrive', 8, d.entrance.y - 12);
    ctx.textAlign = 'right';
    ctx.fillText('leave', W - 8, d.entrance.y - 12);
    ctx.textAlign = 'left';
    // Boxes.
    d.boxes.forEach((b, i) => {
      if (!b) return;
      ctx.fillStyle = '#fff';
      ctx.strokeStyle = b.kind === 'station' ? '#8c959f' : '#afb8c1';
      ctx.setLineDash(b.kind === 'station' ? [] : [4, 3]);
      ctx.fillRect(b.x, b.y, b.w, b.h);
      ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
      ctx.setLineDash([]);
      ctx.fillStyle = '#1f2328';
      ctx.font = 'bold 12px system-ui, sans-serif';
      ctx.fillText(b.title, b.x + 4, b.y + 10);
      ctx.font = '11px system-ui, sans-serif';
      if (b.kind === 'station') {
        const q = d.queue[i];
        const wait = q ? Math.max(0, Math.round(t - d.head[i])) : 0;
        ctx.fillStyle = q ? '#1f2328' : '#6e7781';
        ctx.fillText(`queue ${fmt(q)} · wait ${fmt(wait)} min`, b.x + 4, b.y + 25);
        ctx.fillStyle = '#6e7781';
        ctx.fillText('queue', b.q.x, b.q.y - 6);
        ctx.fillText(`serving ${d.serving[i]}`, b.s.x, b.s.y - 6);
        ctx.strokeStyle = '#d8dee4';
        ctx.beginPath();
        ctx.moveTo(b.s.x - 4.5, b.s.y - 10);
        ctx.lineTo(b.s.x - 4.5, b.s.y + b.s.h);
        ctx.stroke();
      } else {
        ctx.fillStyle = '#6e7781';
        ctx.fillText(`${fmt(d.serving[i])} here (a delay, no queue)`, b.x + 4, b.y + 25);
      }
    });
    // Dots, one path per colour.
    const palette = colours();
    const byClass = colour.value === 'class';
    for (let c = 0; c < palette.length; c++) {
      ctx.fillStyle = palette[c];
      ctx.beginPath();
      let any = false;
      for (let p = 0; p < d.P; p++) {
        if (d.area[p] === AREA.none) continue;
        const pc = byClass ? d.cls[p] % palette.length : d.digital[p];
        if (pc !== c) continue;
        const s = d.size[p];
        ctx.rect(d.x[p], d.y[p], s, s);
        any = true;
      }
      if (any) ctx.fill();
    }
  }

  let lastArrived = ''; let lastCompleted = '';
  function draw() {
    const began = performance.now();
    // While playing, a move between places takes 0.25 s (at most 1.5 clock minutes); a still
    // frame (paused, or the slider dragged) shows everyone where they are, no one in transit.
    const tau = playing ? Math.min(Number(speed.value) * 0.25, 1.5) : 0;
    for (const d of days) update(d, tau);
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    drawLegend();
    for (const d of days) drawDay(d);
    clockOut.textContent = clock(t, multiDay);
    const atEnd = t >= t1;
    note.textContent = close != null
      ? (t < close ? `arrivals stop at ${clock(close, multiDay)}` : 'closed to new arrivals')
      : '';
    if (document.activeElement !== slider) slider.value = String(t);
    const arrived = JSON.stringify(Object.fromEntries(days.map((d) => [d.label, d.counts.arrived])));
    const completed = JSON.stringify(Object.fromEntries(days.map((d) => [d.label, d.counts.completed])));
    if (arrived !== lastArrived) { container.dataset.arrived = arrived; lastArrived = arrived; }
    if (completed !== lastCompleted) { container.dataset.completed = completed; lastCompleted = completed; }
    container.dataset.time = t.toFixed(2);
    container.dataset.state = atEnd ? 'end' : playing ? 'playing' : 'paused';
    endBox.hidden = !atEnd;
    if (atEnd) {
      endBox.textContent = `End of the day (${clock(t1, multiDay)}): ${days.map((d) => `${d.label}: `
        + `${fmt(d.counts.arrived)} arrived, ${fmt(d.counts.completed)} completed`
        + `${d.counts.unseen ? `, ${fmt(d.counts.unseen)} left unseen` : ''}`
        + `${d.counts.arrived - d.counts.completed - d.counts.unseen > 0 ? `, ${fmt(d.counts.arrived - d.counts.completed - d.counts.unseen)} still inside` : ''}`).join(' · ')}.`;
    }
    drawTimes[drawN++ % drawTimes.length] = performance.now() - began;
    const m = Math.min(drawN, drawTimes.length);
    let sum = 0;
    for (let i = 0; i < m; i++) sum += drawTimes[i];
    container.dataset.drawMs = (sum / m).toFixed(2);
  }

  // ---------------------------------------------------------------- the loop
  let raf = 0;
  let last = 0;
  let pending = false;

  function frame(now) {
    raf = 0;
    pending = false;
    if (playing) {
      const dt = last ? Math.min((now - last) / 1000, 0.25) : 0;
      last = now;
      t = Math.min(t1, t + dt * Number(speed.value));
      if (t >= t1) setPlaying(false);
      frameTimes[frameN++ % frameTimes.length] = now;
      const m = Math.min(frameN, frameTimes.length);
      if (m > 10) {
        const first = frameTimes[(frameN - m) % frameTimes.length];
        container.dataset.fps = ((m - 1) / ((now - first) / 1000)).toFixed(1);
      }
    }
    draw();
    if (playing) raf = requestAnimationFrame(frame);
  }

  function request() {
    if (!pending && !raf) { pending = true; raf = requestAnimationFrame(frame); }
  }

  function setPlaying(on) {
    playing = on;
    last = 0;
    frameN = 0;
    playBtn.textContent = on ? 'Pause' : t >= t1 ? 'Replay' : 'Play';
    playBtn.setAttribute('aria-pressed', String(on));
    if (on) request();
  }

  playBtn.addEventListener('click', () => {
    if (!playing && t >= t1) t = t0;
    setPlaying(!playing);
    request();
  });
  endBtn.addEventListener('click', () => { seek(t1); });
  slider.addEventListener('input', () => { t = Number(slider.value); request(); });
  speed.addEventListener('change', request);
  colour.addEventListener('change', request);
  const onResize = () => { layout(); request(); };
  window.addEventListener('resize', onResize);

  function seek(x) {
    t = Math.max(t0, Math.min(t1, x));
    if (t >= t1) setPlaying(false);
    else playBtn.textContent = playing ? 'Pause' : 'Play';
    slider.value = String(t);
    request();
  }

  layout();
  draw();

  const api = {
    play() { if (t >= t1) t = t0; setPlaying(true); },
    pause() { setPlaying(false); request(); },
    seek,
    setSpeed(v) { speed.value = String(v); request(); },
    get time() { return t; },
    start: t0,
    end: t1,
    destroy() {
      playing = false;
      if (raf) cancelAnimationFrame(raf);
      window.removeEventListener('resize', onResize);
      container.replaceChildren();
    },
  };
  container.carepathAnimation = api;
  return api;
}
