// Hopcroft's DFA minimization over a complete transition table.
//
// The initial partition puts states with different label keys (emitAnywhere
// and emitAtEnd sets) apart, so the result still says which patterns match.

export interface Partition {
  /** State -> block (equivalence class) index. */
  blockOf: Int32Array;
  blockCount: number;
}

export function minimize(n: number, k: number, next: Uint32Array, labelKeys: string[]): Partition {
  const blockOf = new Int32Array(n);
  const byKey = new Map<string, number>();
  let blockCount = 0;
  for (let s = 0; s < n; s++) {
    let b = byKey.get(labelKeys[s]);
    if (b === undefined) {
      b = blockCount++;
      byKey.set(labelKeys[s], b);
    }
    blockOf[s] = b;
  }
  if (n === 0) return { blockOf, blockCount };

  // Blocks are ranges of `elems`; [bStart, bMark) is the marked prefix.
  const bStart = new Int32Array(n);
  const bEnd = new Int32Array(n);
  const bMark = new Int32Array(n);
  const elems = new Int32Array(n);
  const pos = new Int32Array(n);
  for (let s = 0; s < n; s++) bEnd[blockOf[s]]++;
  for (let b = 0, at = 0; b < blockCount; b++) {
    const size = bEnd[b];
    bStart[b] = at;
    bMark[b] = at;
    bEnd[b] = at;
    at += size;
  }
  for (let s = 0; s < n; s++) {
    const b = blockOf[s];
    const p = bEnd[b]++;
    elems[p] = s;
    pos[s] = p;
  }

  // Inverse transitions grouped by (class, target): sources of c-edges into t
  // are revSrc[revOff[c*n+t] .. revOff[c*n+t+1]).
  const total = n * k;
  const revOff = new Uint32Array(total + 1);
  for (let s = 0; s < n; s++) {
    const row = s * k;
    for (let c = 0; c < k; c++) revOff[c * n + next[row + c]]++;
  }
  for (let i = 1; i <= total; i++) revOff[i] += revOff[i - 1];
  const revSrc = new Int32Array(total);
  for (let s = n - 1; s >= 0; s--) {
    const row = s * k;
    for (let c = k - 1; c >= 0; c--) revSrc[--revOff[c * n + next[row + c]]] = s;
  }
  revOff[total] = total;

  const work = new Int32Array(n);
  const inWork = new Uint8Array(n);
  let workTop = 0;
  for (let b = 0; b < blockCount; b++) {
    work[workTop++] = b;
    inWork[b] = 1;
  }
  const snap = new Int32Array(n);
  const touched = new Int32Array(n);

  while (workTop > 0) {
    const a = work[--workTop];
    inWork[a] = 0;
    const aLen = bEnd[a] - bStart[a];
    snap.set(elems.subarray(bStart[a], bEnd[a]));
    for (let c = 0; c < k; c++) {
      let touchedCount = 0;
      const base = c * n;
      for (let i = 0; i < aLen; i++) {
        const idx = base + snap[i];
        for (let j = revOff[idx], end = revOff[idx + 1]; j < end; j++) {
          const p = revSrc[j];
          const b = blockOf[p];
          const m = bMark[b];
          const at = pos[p];
          if (at >= m) {
            const q = elems[m];
            elems[m] = p;
            pos[p] = m;
            elems[at] = q;
            pos[q] = at;
            bMark[b] = m + 1;
            if (m === bStart[b]) touched[touchedCount++] = b;
          }
        }
      }
      for (let t = 0; t < touchedCount; t++) {
        const b = touched[t];
        if (bMark[b] === bEnd[b]) {
          bMark[b] = bStart[b];
          continue;
        }
        const nb = blockCount++;
        bStart[nb] = bStart[b];
        bEnd[nb] = bMark[b];
        bMark[nb] = bStart[nb];
        bStart[b] = bEnd[nb];
        bMark[b] = bStart[b];
        for (let i = bStart[nb]; i < bEnd[nb]; i++) blockOf[elems[i]] = nb;
        if (inWork[b]) {
          work[workTop++] = nb;
          inWork[nb] = 1;
        } else {
          const pick = bEnd[nb] - bStart[nb] <= bEnd[b] - bStart[b] ? nb : b;
          work[workTop++] = pick;
          inWork[pick] = 1;
        }
      }
    }
  }
  return { blockOf, blockCount };
}
