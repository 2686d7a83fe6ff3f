/** Reading customer feedback out of files, for `allears import` and `allears classify`. */
export { readRecords, formatFromPath, type RecordEntry, type RecordFormat, type ReadRecordsOptions } from './read-records.ts';
export { parseMapping, ColumnMapping, FIELDS, type MappingSpec } from './mapping.ts';
export { toRawItem, describeErrors, type ImportDefaults, type ToRawItemResult } from './to-raw-item.ts';
export { parseDateTime, parseNumber, parseBoolean } from './coerce.ts';
export { createProgress, type Progress, type ProgressOptions, type ProgressStream } from './progress.ts';
