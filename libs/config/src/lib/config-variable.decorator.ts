import 'reflect-metadata';

export interface ConfigVariableOptions {
  /** What the variable means, as docs/configuration.md prints it. */
  description: string;
  /** Never printed, logged or echoed in an error. */
  isSensitive: boolean;
  /** The default, as text for the docs (the property initialiser is the real one). */
  defaultText?: string;
}

const CONFIG_VARIABLES = Symbol('lgsp:config-variables');

export interface ConfigVariableMeta extends ConfigVariableOptions {
  name: string;
}

/** Marks an environment variable of a config class with its description and sensitivity. */
export function ConfigVariable(options: ConfigVariableOptions): PropertyDecorator {
  return (target, propertyKey) => {
    const list: ConfigVariableMeta[] = Reflect.getMetadata(CONFIG_VARIABLES, target) ?? [];
    Reflect.defineMetadata(CONFIG_VARIABLES, [...list, { ...options, name: String(propertyKey) }], target);
  };
}

export function configVariablesOf(cls: abstract new () => object): readonly ConfigVariableMeta[] {
  return Reflect.getMetadata(CONFIG_VARIABLES, cls.prototype) ?? [];
}
