export * from '../validate.policy';
export * from './media-type.util';
export * from './operation-validator';
export * from './request-validators.util';
