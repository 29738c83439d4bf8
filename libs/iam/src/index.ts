export const IAM = 'placeholder';
