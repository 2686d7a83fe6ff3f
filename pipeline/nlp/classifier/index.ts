/** The trainable text classifier: hashed n-gram features and multinomial logistic regression. */
export { Featurizer, computeIdf, applyIdf, DEFAULT_FEATURE_OPTIONS, FeatureOptionsSchema, type FeatureOptions, type SparseVector } from './features.ts';
export { trainLogReg, predictProba, balancedClassWeights, nbFeatureScales, DEFAULT_LOGREG_OPTIONS, type LogRegOptions, type LogRegWeights, type NbScaleOptions } from './logreg.ts';
export { TextClassifier, argmax, type Prediction } from './text-classifier.ts';
export { ModelCardSchema, type ModelCard } from './card.ts';
export { MODEL_FORMAT, ModelFileSchema, toModelFile, fromModelFile, saveModel, loadModel, loadModelSync, quantizeInt8, type ModelFile, type ModelFileOptions } from './model-file.ts';
export { SET_TRAINING, type SetTraining } from './presets.ts';
export { computeMetrics, fromConfusion, formatReport, type Metrics, type ClassMetrics } from './metrics.ts';
export { trainFromRecords, trainClassifier, evaluate, extractExamples, splitDeterministic, type Example, type TrainOptions, type TrainFromRecordsOptions, type TrainResult } from './train.ts';
