export { assertBlobKey, type BlobStore, type ByteRange } from './blob-store.js';
export { FilesystemBlobStore } from './filesystem-blob-store.js';
export { S3BlobStore, type S3Settings } from './s3-blob-store.js';
