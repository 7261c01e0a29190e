// Benchmarks print numbers; nothing here asserts a time.
print("wrtform-bench: no benchmarks yet")
