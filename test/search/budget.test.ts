// Budget expressions and the Pareto set of the accuracy-budget search.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BudgetError, judge, parseBudget } from '../../src-main/search/budget';
import { paretoSet } from '../../src-main/search/pareto';

test('budgets parse sqnr (all outputs or one), agreement and accuracy-drop in % or as fractions', () => {
  const b = parseBudget('sqnr>=30, agreement >= 99% and accuracy-drop<=0.01, sqnr[scores]>=25.5');
  assert.deepEqual(
    b.clauses.map((c) => [c.metric, c.output ?? '*', c.op, c.value]),
    [['sqnr', '*', '>=', 30], ['agreement', '*', '>=', 0.99], ['accuracy-drop', '*', '<=', 0.01], ['sqnr', 'scores', '>=', 25.5]],
  );
});

test('bad budgets are one-line errors saying what to write', () => {
  for (const [text, pattern] of [
    ['', /empty/],
    ['latency<=3', /not understood/],
    ['sqnr<=30', /sqnr takes >=/],
    ['sqnr>=30%', /dB, not %/],
    ['agreement>=150%', /between 0% and 100%/],
  ] as const) {
    assert.throws(() => parseBudget(text), (e: Error) => e instanceof BudgetError && pattern.test(e.message) && !e.message.includes('\n'), text);
  }
});

test('a budget holds only when every clause holds; sqnr without an output is judged on the worst output', () => {
  const outputs = [
    { name: 'boxes', sqnrDb: 41 },
    { name: 'scores', sqnrDb: 12, top1Agreement: 0.995, floatAccuracy: 0.9, quantAccuracy: 0.895 },
  ];
  assert.equal(judge(parseBudget('sqnr>=30'), outputs).met, false);
  assert.equal(judge(parseBudget('sqnr>=30'), outputs).verdicts[0]!.measured, 12);
  assert.equal(judge(parseBudget('sqnr[boxes]>=30'), outputs).met, true);
  assert.equal(judge(parseBudget('agreement>=99%, accuracy-drop<=1%'), outputs).met, true);
  assert.equal(judge(parseBudget('accuracy-drop<=0.1%'), outputs).met, false);
  assert.throws(() => judge(parseBudget('sqnr[logits]>=3'), outputs), /no output 'logits' \(outputs: boxes, scores\)/);
  assert.throws(() => judge(parseBudget('accuracy-drop<=1%'), [{ name: 'y', sqnrDb: 3 }]), /needs labels/);
});

test('the Pareto set keeps exactly the candidates no other beats on size, latency and quality at once', () => {
  const points = [
    { id: 'fp16', bytes: 500, latencyMs: 10, quality: 60 },
    { id: 'int8', bytes: 250, latencyMs: 6, quality: 20 },
    { id: 'int8+3 float', bytes: 270, latencyMs: 7, quality: 32 },
    { id: 'dynamic', bytes: 280, latencyMs: 12, quality: 30 },
    { id: 'copy of int8 but slower', bytes: 250, latencyMs: 8, quality: 20 },
  ];
  assert.deepEqual(paretoSet(points).map((p) => p.id), ['fp16', 'int8', 'int8+3 float']);
});
