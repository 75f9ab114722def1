export const TAGS = ['organizations'];
