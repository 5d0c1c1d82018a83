// Writer 2 of twoWriters.test.ts: the command line's path, as the README
// suggests running beside the app. `promptlabel import` runs again and again
// (each run opens the project, imports a COCO file, closes it) and says
// "ack N" after run N exits 0, until the parent kills it with SIGKILL. Each
// run adds the file's annotations again (--duplicates add), so every
// acknowledged run is countable.
import { runCli } from '../../../../cli/cli.js';
import { say } from './writerLines.js';

async function main(dir: string, cocoFile: string): Promise<void> {
  let stderr = '';
  const io = { stdout: () => undefined, stderr: (text: string) => void (stderr += text) };
  say('ready');
  for (let run = 0; ; run++) {
    stderr = '';
    const code = await runCli(['import', '--project', dir, '--coco', cocoFile, '--duplicates', 'add'], io);
    say(code === 0 ? `ack ${run}` : `err ${code} ${stderr}`);
  }
}

main(process.argv[2]!, process.argv[3]!).catch((error: unknown) => {
  say(`fatal ${(error as Error).message}`);
  process.exitCode = 1;
});
