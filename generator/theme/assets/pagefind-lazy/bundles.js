// Search shards merged after pagefind/ (written by paper-archive build).
export default [];
