export { assertBlobKey, type BlobStore } from './blob-store.js';
export { FilesystemBlobStore } from './filesystem-blob-store.js';
export { S3BlobStore, type S3Settings, signV4 } from './s3-blob-store.js';
