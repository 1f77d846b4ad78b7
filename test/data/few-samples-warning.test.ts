// The few-calibration-samples warning is read in the Studio (a run's warnings) as well as in the
// CLI: it names the setting ("samples"), not a command-line flag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fewSamplesWarning, MIN_RECOMMENDED_SAMPLES } from '../../src-main/data/dataset';

test('the few-samples warning says why in words both the Studio and the CLI user read', () => {
  const limited = fewSamplesWarning(400, 2)!;
  assert.equal(limited, `Calibrating on 2 sample(s) (samples set to 2); ${MIN_RECOMMENDED_SAMPLES} or more give more reliable statistics.`);
  assert.doesNotMatch(limited, /--/, 'no CLI flag in a message the Studio shows');
  assert.equal(fewSamplesWarning(3, 50), `Calibrating on 3 sample(s) (only 3 available); ${MIN_RECOMMENDED_SAMPLES} or more give more reliable statistics.`);
  assert.equal(fewSamplesWarning(500, MIN_RECOMMENDED_SAMPLES), undefined);
});
