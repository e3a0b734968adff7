// Where the compiled rule program comes from. The engine is compiled once;
// `tripline build` places each rule program into it as data (a passive data
// segment), and the engine's build step (scripts/build-engine.ts) turns this
// import into `memory.init` from that segment. The finished module imports
// nothing. Copying past the end of the segment traps: a program whose
// header lies about its length stops the module at instantiation.
@external("tripline", "program_copy")
export declare function programCopy(dest: usize, offset: usize, length: usize): void;
