/** HTTP methods an OpenAPI 3.0 path item can describe, in the specification's order. */
export const HTTP_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'] as const;

/** The extension by which a provider classifies an operation, its path item or the whole document. */
export const CLASSIFICATION_EXTENSION = 'x-lgsp-classification';
