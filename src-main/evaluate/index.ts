export { evaluate, type EvaluateOptions, type EvaluateRequest, type EvaluationReport, type LatencyFigures, type ModelSide, type SampleOutputs } from './evaluate';
export { formatReport, reportJson } from './report';
export { argmax, cosineSimilarity, isClassification, latencySummary, OutputComparison, sqnrDb, type OutputMetrics } from './metrics';
export { fromRuntimeOutput, toRuntimeInput } from './io';
export { EvaluateInputError, NoHeldOutSamplesError } from './errors';
export { floatTflite, type Converter, type FloatModelSource } from './float-model';
export { compareLayers, type LayerError } from '../validation/layers';
