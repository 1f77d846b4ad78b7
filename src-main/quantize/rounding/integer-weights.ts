// Error-compensated rounding for int8 weights (static int8 / int16x8, dynamic range): the layers'
// weights are chosen on the int8 grid the static stage will use, from the float model's layer
// inputs in one pass. (Folding in the upstream error, as fp16 does, made resnet8 int8 worse:
// the correction then chases activation rounding noise that does not generalise.)
import type { Graph, Node } from '../../graph/model-graph';
import type { GraphInputs } from '../../graph/execute';
import { opFacts } from '../op-facts';
import type { QuantizeReport, Recipe } from '../qtypes';
import { ruleFor } from '../recipe';
import { compensateWeightRounding, type CompensationOptions } from './compensate';
import { symmetricInt8Grid } from './integer-grid';

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
  options: Pick<CompensationOptions, 'signal' | 'onProgress'> = {},
): Promise<NonNullable<QuantizeReport['weightRounding']>> {
  const perChannel = (node: Node): boolean => {
    const rule = ruleFor(recipe, node.op);
    const axis = rule?.weights?.axis ?? opFacts(node.op)?.weights?.channelAxis;
    if (rule?.weights?.granularity !== 'channel') return false;
    // The grid's rows are output channels: conv axis 0, depthwise axis 3.
    return (node.op === 'DEPTHWISE_CONV_2D' && axis === 3) || (node.op !== 'DEPTHWISE_CONV_2D' && axis === 0);
  };
  const result = await compensateWeightRounding(reference, target, (layer) => symmetricInt8Grid(layer, perChannel(layer.node)), samples, {
    ...options,
    include,
  });
  return { method: 'gptq', compensated: result.compensated.length, samples: result.samples, skipped: result.skipped };
}
