// Preloaded (`node --require`) into helper processes the orchestrator owns but must not outlive
// it, such as `tsc --watch`: they run in their own process group (so they can be killed as a
// group), which also means nothing kills them if the orchestrator itself is killed (SIGKILL, a
// closed terminal). When the parent changes (we were re-parented to init or a subreaper), exit.
// The spawner passes its pid: it may already be gone by the time this preload runs.
const parent = Number(process.env.NEXU_DEV_PARENT_PID) || process.ppid;
const check = () => {
  if (process.ppid !== parent) process.exit(0);
};
check();
setInterval(check, 500).unref();
