export { DOCUMENT_PATH, committedDocument, renderDocument } from './document';
