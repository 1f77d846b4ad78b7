// Error-compensated rounding for int8 weights (static int8 / int16x8, dynamic range): the layers'
// weights are chosen on the int8 grid the static stage will use, from the float model's layer
// inputs in one pass. (Folding in the upstream error, as fp16 does, made resnet8 int8 worse:
// the correction then chases activation rounding noise that does not generalise.)
import type { Graph, Node } from '../../graph/model-graph';
import type { GraphInputs } from '../../graph/execute';
import { opFacts } from '../op-facts';
import type { QuantizeReport, Recipe } from '../qtypes';
import { ruleFor } from '../recipe';
import { compensateWeightRounding, type CompensationOptions, type RoundingGrid } from './compensate';
import { symmetricInt8Grid } from './integer-grid';
import type { CompensableLayer } from './layer-inputs';

/**
 * `include` picks the layers whose weights the recipe stores as int8 (static: the integer
 * nodes; dynamic range: the hybrid ones).
 */
export async function compensateIntegerWeights(
  reference: Graph,
  target: Graph,
  recipe: Recipe,
  include: (node: Node) => boolean,
  samples: () => AsyncIterable<GraphInputs>,
  options: Pick<CompensationOptions, 'signal' | 'onProgress' | 'workers' | 'tapped'> = {},
): Promise<NonNullable<QuantizeReport['weightRounding']>> {
  const gridFor = (layer: CompensableLayer): RoundingGrid | string => {
    const rule = ruleFor(recipe, layer.node);
    if (rule?.weights?.granularity !== 'channel') return symmetricInt8Grid(layer, false);
    // The grid's rows are output channels: conv / FC axis 0, depthwise axis 3.
    const axis = rule.weights.axis ?? opFacts(layer.node.op)?.weights?.channelAxis;
    if (axis !== (layer.node.op === 'DEPTHWISE_CONV_2D' ? 3 : 0)) return `per-channel axis ${axis} is not the output channel`;
    return symmetricInt8Grid(layer, true);
  };
  const result = await compensateWeightRounding(reference, target, gridFor, samples, {
    ...options,
    include,
  });
  return { method: 'gptq', compensated: result.compensated.length, samples: result.samples, skipped: result.skipped };
}
