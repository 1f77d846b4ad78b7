// The Search page's plain helpers: the budget text the form builds is one the engine parses to
// the same clause; candidates become chart/table points in the budget's unit; the Pareto set and
// the recommendation agree with the engine's own (search/pareto.ts, smallest meeting first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetText, METRICS } from '../../src-renderer/features/search/options';
import { closestOf, paretoIds, recommendedOf, thresholdOf, toPoint } from '../../src-renderer/features/search/points';
import { judge, parseBudget } from '../../src-main/search/budget';
import { paretoSet } from '../../src-main/search/pareto';
import type { MeasuredCandidate } from '../../src-main/search/types';

test('every budget the form builds parses to the clause it shows', () => {
  for (const m of METRICS) {
    const text = budgetText(m.metric, m.defaultThreshold);
    const [clause] = parseBudget(text).clauses;
    assert.equal(clause!.metric, m.metric);
    assert.equal(clause!.op, m.op);
    assert.equal(clause!.value, m.unit === '%' ? m.defaultThreshold / 100 : m.defaultThreshold);
  }
  assert.equal(budgetText('sqnr', 25, ' scores '), 'sqnr[scores]>=25');
  assert.equal(parseBudget(budgetText('sqnr', 25, 'scores')).clauses[0]!.output, 'scores');
  assert.equal(budgetText('agreement', 99, 'ignored'), 'agreement>=99%');
});

function candidate(id: string, bytes: number, latencyMs: number, sqnrDb: number, budget = 'sqnr>=30', top1Agreement?: number): MeasuredCandidate {
  const outputs = [{ name: 'out', sqnrDb, ...(top1Agreement !== undefined ? { top1Agreement } : {}) }];
  const { met, verdicts } = judge(parseBudget(budget), outputs);
  return { id, kind: 'int8', label: id, bytes, sizeRatio: bytes / 1000, latencyMs, latencyWhere: 'here', outputs, verdicts, meetsBudget: met, quality: verdicts[0]!.measured, elapsedMs: 1 };
}

test('points, Pareto set and recommendation agree with the engine', () => {
  const cs = [candidate('fp16', 500, 1.0, 60), candidate('int8', 250, 0.5, 25), candidate('dyn', 260, 0.6, 35), candidate('worse', 600, 2, 20), candidate('same', 500, 1, Infinity)];
  assert.deepEqual(paretoIds(cs).sort(), paretoSet(cs).map((c) => c.id).sort());
  assert.equal(recommendedOf(cs), 'dyn', 'the smallest that meets sqnr>=30');
  assert.equal(recommendedOf(cs.filter((c) => !c.meetsBudget)), undefined);
  const same = toPoint(cs[4]!);
  assert.equal(same.figure, null);
  assert.equal(same.figureText, 'identical to float');
  assert.equal(toPoint(cs[1]!).figureText, '25.0 dB');
  assert.equal(thresholdOf(cs[0]), 30);
  const agree = candidate('a', 1, 1, 10, 'agreement>=99%', 0.975);
  assert.equal(toPoint(agree).figureText, '97.5%');
  assert.equal(thresholdOf(agree), 99);
  const failing = cs.filter((c) => !c.meetsBudget).map(toPoint);
  assert.equal(closestOf(failing, true)?.id, 'int8', 'closest to a lower bound: the highest figure');
});
