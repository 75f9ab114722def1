export const TAGS = ['policies'];
