// Child process for durability.test.ts: applies one batch, reports it, then
// dies by SIGKILL without closing the database.
import { Project } from '../../../../core/store/project.js';

const [dir, labelId] = process.argv.slice(2) as [string, string];
const project = Project.open(dir);
project.apply([{ type: 'label.put', label: { id: labelId, name: `killed ${labelId}`, colour: '#123456', hotkey: null } }]);
process.stdout.write('applied\n', () => process.kill(process.pid, 'SIGKILL'));
