export * from './lib/address-range.util';
export * from './lib/config.error';
export * from './lib/config-variable.decorator';
export * from './lib/data-dir.util';
export * from './lib/environment-variables';
export * from './lib/lgsp-config';
export * from './lib/lgsp-config.constant';
export * from './lib/lgsp-config.module';
