/* eslint-disable no-undef, no-console -- a Node.js program run in the container */
// Processes orders until stopped; a real worker would read a queue.
const timer = setInterval(() => console.log(JSON.stringify({ message: "waiting for orders" })), 60000);
process.on("SIGTERM", () => { clearInterval(timer); process.exit(0); });
