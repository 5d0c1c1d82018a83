// Small pieces every COCO importer shares: the source it records and its refusals (row ids: store/bulkInsert.ts).
import { AppError } from '../../common/contract/index.js';

/** Source recorded on imported annotations and captions. */
export const IMPORT_SOURCE = 'coco-import';

export const refuse = (path: string, message: string) => new AppError('invalid_file', `${path}: ${message}`, path);
