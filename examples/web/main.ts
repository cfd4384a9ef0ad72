// The playground page: two tabs, each driving a Web Worker that runs wasm-rnn (./worker.ts, the
// name classifier; ./lm-worker.ts, the Moby Dick character model). This file only draws: the SVG
// plots, the probability bars, the streamed text. Every number comes from the workers.
import type { NamesWorkerIn, NamesWorkerOut } from './worker.js';
import type { LmWorkerIn, LmWorkerOut } from './lm-worker.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
const params = new URLSearchParams(location.search);
const EPOCHS = Number(params.get('epochs') ?? 4);
const SVG = 'http://www.w3.org/2000/svg';

// ---- plots: SVG polylines redrawn as points arrive ----
/** 1, 2 or 5 times a power of ten, at least `x` (axis ticks). */
const niceStep = (x: number) => { let p = 1; while (p * 10 <= x) p *= 10; while (p > x && p > 1e-6) p /= 10; return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= x) ?? 10 * p; };
interface Series { cls: string; points: [number, number][]; dots?: boolean }
class Plot {
  constructor(readonly svg: SVGSVGElement, readonly xMax: () => number, readonly yRange: (s: Series[]) => [number, number], readonly fmt: (v: number) => string,
    readonly xMin: () => number = () => 0) {}
  draw(series: Series[]) {
    const W = this.svg.viewBox.baseVal.width, H = this.svg.viewBox.baseVal.height;
    const L = 38, R = 14, T = 8, B = 18;
    const [y0, y1] = this.yRange(series);
    const x0 = this.xMin(), xm = Math.max(x0 + 1e-9, this.xMax());
    const X = (x: number) => L + ((x - x0) / (xm - x0)) * (W - L - R);
    const Y = (y: number) => T + (1 - (y - y0) / (y1 - y0 || 1)) * (H - T - B);
    const el = (name: string, attrs: Record<string, string | number>, text?: string) => {
      const e = document.createElementNS(SVG, name);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const kids: Element[] = [];
    for (let i = 0; i <= 4; i++) {
      const v = y0 + ((y1 - y0) * i) / 4;
      kids.push(el('line', { class: 'grid', x1: L, x2: W - R, y1: Y(v), y2: Y(v) }), el('text', { x: 2, y: Y(v) + 3 }, this.fmt(v)));
    }
    const xs = niceStep((xm - x0) / 5);
    for (let e = Math.ceil(x0 / xs) * xs; e <= xm + 1e-9; e += xs) kids.push(el('text', { x: X(e) - 3, y: H - 4 }, String(Math.round(e * 100) / 100)));
    kids.push(el('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }), el('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
    for (const s of series) {
      if (!s.points.length) continue;
      kids.push(el('polyline', { class: s.cls, 'data-n': s.points.length, points: s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(Math.min(y1, Math.max(y0, y))).toFixed(1)}`).join(' ') }));
      if (s.dots) for (const [x, y] of s.points) kids.push(el('circle', { class: s.cls, cx: X(x).toFixed(1), cy: Y(Math.min(y1, Math.max(y0, y))).toFixed(1), r: 2.2 }));
    }
    this.svg.replaceChildren(...kids);
  }
}

// ---- names tab ----
const names = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const sendNames = (m: NamesWorkerIn) => names.postMessage(m);
const status = $('status');
const loss: Series[] = [{ cls: 'train', points: [] }, { cls: 'test', points: [], dots: true }];
const acc: Series[] = [{ cls: 'train', points: [] }, { cls: 'test', points: [], dots: true }];
const lossPlot = new Plot($('plot-loss') as unknown as SVGSVGElement, () => EPOCHS, (s) => [0, Math.max(0.8, ...s.flatMap((x) => x.points.map((p) => p[1])))], (v) => v.toFixed(2));
const accPlot = new Plot($('plot-acc') as unknown as SVGSVGElement, () => EPOCHS, () => [0.4, 1], (v) => `${Math.round(v * 100)}%`);
const redraw = () => { lossPlot.draw(loss); accPlot.draw(acc); };
redraw();

let seed = 1, classifyId = 0, summary = '';
const input = $<HTMLInputElement>('name');
const retrain = $<HTMLButtonElement>('retrain');

function startTraining() {
  for (const s of [...loss, ...acc]) s.points.length = 0;
  redraw();
  retrain.disabled = true;
  status.dataset.state = 'training';
  delete status.dataset.testAccuracy;
  sendNames({ type: 'train', epochs: EPOCHS, batchSize: 32, lr: 0.01, seed, pointsPerEpoch: 5 });
}

function showProbs(text: string, probs: number[], best: number, classes: string[]) {
  const box = $('probs');
  box.replaceChildren(...classes.map((c, i) => {
    const row = document.createElement('div');
    row.className = 'row';
    row.dataset.class = c;
    row.dataset.p = String(probs[i]);
    row.innerHTML = `<span class="label">${c}</span><div class="bar"><div class="fill" style="width:${(100 * probs[i]).toFixed(1)}%"></div></div><span class="pct">${pct(probs[i])}</span>`;
    return row;
  }));
  box.dataset.text = text;
  $('verdict').textContent = `“${text}”: ${classes.map((c, i) => `${c} ${pct(probs[i])}`).join(', ')} → ${classes[best]}`;
}

function classifyInput() {
  const text = input.value.trim();
  if (!text) { $('probs').replaceChildren(); $('verdict').textContent = ''; delete $('probs').dataset.text; return; }
  sendNames({ type: 'classify', id: ++classifyId, text });
}
input.addEventListener('input', classifyInput);
retrain.addEventListener('click', () => { seed++; startTraining(); });

names.onmessage = (e: MessageEvent<NamesWorkerOut>) => {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      $('names-count').textContent = m.names.toLocaleString('en');
      summary = `${m.names} names (${m.ambiguous} in both lists dropped): ${m.train} train, ${m.test} test`;
      status.textContent = summary;
      startTraining();
      break;
    case 'model':
      status.textContent = `${summary}\n${m.repr.replace(/\n\s*/g, ' ')} (${m.params} parameters)`;
      break;
    case 'progress':
      status.textContent = `${summary}\nepoch ${m.epoch}/${m.epochs}, batch ${m.batch}/${m.batches}: loss ${m.loss.toFixed(4)}, accuracy ${pct(m.accuracy)}, ${(m.ms / 1000).toFixed(1)} s`;
      break;
    case 'point':
      loss[0].points.push([m.x, m.trainLoss]); loss[1].points.push([m.x, m.testLoss]);
      acc[0].points.push([m.x, m.trainAccuracy]); acc[1].points.push([m.x, m.testAccuracy]);
      redraw();
      if (input.value.trim()) classifyInput();
      break;
    case 'epoch': {
      const t = $('confusion');
      const classes = ['male', 'female'];
      t.innerHTML = `<tr><th>true \\ predicted</th>${classes.map((c) => `<th>${c}</th>`).join('')}</tr>` +
        m.confusion.map((r, i) => `<tr><th>${classes[i]}</th>${r.map((v) => `<td>${v}</td>`).join('')}</tr>`).join('');
      break;
    }
    case 'done':
      status.dataset.state = 'done';
      status.dataset.testAccuracy = String(m.testAccuracy);
      status.textContent = `${summary}\ntest accuracy ${pct(m.testAccuracy)} after ${(m.trainMs / 1000).toFixed(1)} s of training (${(m.ms / 1000).toFixed(1)} s with the plot's evaluations)`;
      retrain.disabled = false;
      if (input.value.trim()) classifyInput();
      break;
    case 'probs':
      if (m.id === classifyId) showProbs(m.text, m.probs, m.pred, m.classes);
      break;
    case 'error':
      status.dataset.state = 'error';
      status.textContent = `error: ${m.message}`;
      console.error(m.message);
      break;
  }
};
names.onerror = (e) => { status.dataset.state = 'error'; status.textContent = `worker error: ${e.message}`; };

// ---- tabs ----
let lm: Worker | null = null;
function selectTab(which: 'names' | 'lm') {
  for (const t of ['names', 'lm'] as const) {
    $(`tab-${t}`).setAttribute('aria-selected', String(t === which));
    $(`panel-${t}`).hidden = t !== which;
  }
  if (which === 'lm' && !lm) startLm();
}
$('tab-names').addEventListener('click', () => selectTab('names'));
$('tab-lm').addEventListener('click', () => selectTab('lm'));

// ---- character model tab ----
function startLm() {
  const w = new Worker(new URL('./lm-worker.js', import.meta.url), { type: 'module' });
  lm = w;
  const send = (m: LmWorkerIn) => w.postMessage(m);
  const st = $('lm-status'), out = $('generated'), lat = $('lm-latency');
  const temp = $<HTMLInputElement>('temperature'), gen = $<HTMLButtonElement>('generate'), pause = $<HTMLButtonElement>('lm-train');
  const series: Series[] = [{ cls: 'train', points: [] }, { cls: 'test', points: [], dots: true }];
  let xMin = 0, xMax = 10;
  const plot = new Plot($('plot-lm') as unknown as SVGSVGElement, () => xMax, (s) => {
    const ys = s.flatMap((x) => x.points.map((p) => p[1])).filter(Number.isFinite);
    return [Math.max(0, Math.min(...ys, 4.5) - 0.2), Math.max(1, ...ys)];
  }, (v) => v.toFixed(2), () => xMin);
  let training = true, info = '';
  temp.addEventListener('input', () => { $('temperature-value').textContent = Number(temp.value).toFixed(2); send({ type: 'temperature', value: Number(temp.value) }); });
  gen.addEventListener('click', () => {
    out.textContent = $<HTMLInputElement>('prompt').value;
    send({ type: 'generate', prompt: $<HTMLInputElement>('prompt').value, length: 600, temperature: Number(temp.value), topK: 0 });
  });
  pause.addEventListener('click', () => {
    training = !training;
    pause.textContent = training ? 'Pause training' : 'Resume training';
    send({ type: training ? 'resume' : 'pause' });
  });
  w.onmessage = (e: MessageEvent<LmWorkerOut>) => {
    const m = e.data;
    switch (m.type) {
      case 'ready':
        info = m.info;
        st.textContent = info;
        gen.disabled = false; pause.disabled = false;
        break;
      case 'progress':
        st.dataset.state = 'training';
        st.textContent = `${info}\n${m.text}`;
        if (Number.isFinite(m.loss)) series[0].points.push([m.x, m.loss]);
        if (m.testLoss !== undefined) series[1].points.push([m.x, m.testLoss]);
        if (series[0].points.length + series[1].points.length === 1) { xMin = m.x; xMax = m.x + 10; }
        xMax = Math.max(xMax, xMin + niceStep(m.x - xMin));
        plot.draw(series);
        break;
      case 'chars':
        out.textContent += m.text;
        lat.textContent = `${m.count} characters, ${m.usPerChar.toFixed(0)} µs per character (step + sample)`;
        break;
      case 'error':
        st.dataset.state = 'error';
        st.textContent = `error: ${m.message}`;
        console.error(m.message);
        break;
    }
  };
  w.onerror = (e) => { st.dataset.state = 'error'; st.textContent = `worker error: ${e.message}`; };
}
if (location.hash === '#lm') selectTab('lm');
