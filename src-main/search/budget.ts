// Accuracy budgets a user states on held-out data: `sqnr>=30` (every output), `sqnr[scores]>=30`
// (one output), `agreement>=99%` (top-1 agreement with float), `accuracy-drop<=1%` (needs labels),
// joined with `,` or `and`. Parsing and checking only; measuring is the search's job.
import { InputError } from '../errors';

export type BudgetMetric = 'sqnr' | 'agreement' | 'accuracy-drop';

export interface BudgetClause {
  metric: BudgetMetric;
  /** One output by name; undefined means every output must hold it. */
  output?: string;
  op: '>=' | '<=';
  /** dB for sqnr; a fraction (0..1) for agreement and accuracy-drop. */
  value: number;
  text: string;
}

export interface Budget {
  clauses: BudgetClause[];
  text: string;
}

/** What a candidate measured, per output, on the held-out data. */
export interface MeasuredOutput {
  name: string;
  sqnrDb: number;
  top1Agreement?: number;
  floatAccuracy?: number;
  quantAccuracy?: number;
}

export class BudgetError extends InputError {
  override name = 'BudgetError';
}

const CLAUSE = /^(sqnr|agreement|accuracy-drop)(?:\[([^\]]+)\])?\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)\s*(%?)$/;
const ALLOWED: Record<BudgetMetric, '>=' | '<='> = { sqnr: '>=', agreement: '>=', 'accuracy-drop': '<=' };

export function parseBudget(text: string): Budget {
  const parts = text.split(/\s*(?:,|\band\b)\s*/i).map((p) => p.trim()).filter(Boolean);
  if (!parts.length) throw new BudgetError(`--budget is empty; write e.g. sqnr>=30, agreement>=99% or accuracy-drop<=1%.`);
  const clauses = parts.map((part): BudgetClause => {
    const m = CLAUSE.exec(part.replace(/\s+/g, ''));
    if (!m) throw new BudgetError(`--budget '${part}' is not understood; write e.g. sqnr>=30, sqnr[OUTPUT]>=30, agreement>=99% or accuracy-drop<=1%.`);
    const metric = m[1] as BudgetMetric;
    const op = m[3] as '>=' | '<=';
    if (op !== ALLOWED[metric]) throw new BudgetError(`--budget '${part}': ${metric} takes ${ALLOWED[metric]} (a bound the quantized model must stay on the good side of).`);
    let value = Number(m[4]);
    if (metric === 'sqnr' && m[5]) throw new BudgetError(`--budget '${part}': sqnr is in dB, not %.`);
    if (metric !== 'sqnr') {
      value = m[5] || value > 1 ? value / 100 : value;
      if (value < 0 || value > 1) throw new BudgetError(`--budget '${part}': ${metric} must be between 0% and 100%.`);
    }
    return { metric, op, value, text: part, ...(m[2] ? { output: m[2] } : {}) };
  });
  return { clauses, text };
}

export interface ClauseVerdict {
  clause: BudgetClause;
  /** The measured figure the clause is judged on (worst over outputs when none is named). */
  measured: number;
  met: boolean;
}

function figure(clause: BudgetClause, output: MeasuredOutput): number | undefined {
  if (clause.metric === 'sqnr') return output.sqnrDb;
  if (clause.metric === 'agreement') return output.top1Agreement;
  if (output.floatAccuracy === undefined || output.quantAccuracy === undefined) return undefined;
  return output.floatAccuracy - output.quantAccuracy;
}

/** Checks every clause; throws when a clause names an output that does not exist or lacks its metric. */
export function judge(budget: Budget, outputs: MeasuredOutput[]): { met: boolean; verdicts: ClauseVerdict[] } {
  const verdicts = budget.clauses.map((clause): ClauseVerdict => {
    const chosen = clause.output === undefined ? outputs : outputs.filter((o) => o.name === clause.output);
    if (clause.output !== undefined && !chosen.length) throw new BudgetError(`--budget '${clause.text}': the model has no output '${clause.output}' (outputs: ${outputs.map((o) => o.name).join(', ')}).`);
    const values = chosen.map((o) => figure(clause, o)).filter((v): v is number => v !== undefined);
    if (!values.length) {
      const why = clause.metric === 'accuracy-drop' ? 'needs labels (--labels, or image sub-folders named by class)' : 'needs a classification output (a score vector)';
      throw new BudgetError(`--budget '${clause.text}': ${clause.metric} ${why}.`);
    }
    const measured = clause.op === '>=' ? Math.min(...values) : Math.max(...values);
    return { clause, measured, met: clause.op === '>=' ? measured >= clause.value : measured <= clause.value };
  });
  return { met: verdicts.every((v) => v.met), verdicts };
}

export function formatClauseFigure(v: ClauseVerdict): string {
  if (v.clause.metric !== 'sqnr') return `${(v.measured * 100).toFixed(1)}%`;
  return Number.isFinite(v.measured) ? `${v.measured.toFixed(1)} dB` : 'identical to float';
}
