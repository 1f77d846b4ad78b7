// `edgequant deploy MODEL.tflite --device NAME`: staged upload, sha256 verified on the board.
import { resolve } from 'node:path';
import { boardFolderOf } from '../../devices/index';
import { parseCommandArgs, printJson, type Command } from '../command';
import { InputError } from '../../errors';
import { cliDeviceService } from './device';

const USAGE = `Usage: edgequant deploy MODEL.tflite --device NAME [--project NAME|DIR] [--json]

Uploads the model to ~/.edgequant/<project>/ on the board (<project>: the base name of --project,
default "default") under a staging name, checks its sha256 there, then renames it. Skips the
upload when the board already has the same file. Only a verified file is recorded as deployed.`;

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'Put a .tflite model on a board (sha256 verified)',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('deploy', argv, {
      device: { type: 'string' },
      project: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1) throw new InputError(`deploy needs one MODEL.tflite (see 'edgequant deploy --help').`);
    if (!values.device) throw new InputError('deploy needs --device NAME.');
    const modelPath = resolve(io.cwd, positionals[0]!);
    let lastPercent = -1;
    const showProgress = !values.json && process.stderr.isTTY === true;
    const result = await cliDeviceService(io).deploy(values.device, modelPath, {
      project: boardFolderOf(values.project),
      onProgress: (progress) => {
        const { bytesDone, bytesTotal } = progress;
        const percent = Math.floor((100 * bytesDone) / Math.max(1, bytesTotal));
        // Serial links report their measured rate and an ETA (minutes at 115200 baud).
        const eta = (progress as { etaSeconds?: number }).etaSeconds;
        const rest = eta === undefined ? '' : `, about ${eta >= 90 ? `${Math.round(eta / 60)} min` : `${Math.ceil(eta)} s`} left`;
        if (showProgress && percent !== lastPercent) io.stderr(`\rUploading ${percent}%${rest}   `);
        lastPercent = percent;
      },
    });
    if (showProgress && lastPercent >= 0) io.stderr('\n');
    if (values.json) printJson(io, { device: values.device, ...result });
    else {
      const how = result.skipped ? 'already there (same sha256), upload skipped' : `uploaded ${result.bytes} bytes in ${(result.uploadMs / 1000).toFixed(2)} s, sha256 verified`;
      io.stdout(`Deployed to ${values.device}:${result.remotePath}: ${how}.\n`);
    }
    return 0;
  },
};
