// The shop API: answers the smoke test's health check; a real API routes more paths.
// eslint-disable-next-line no-undef -- a CommonJS Lambda handler
exports.handler = async (event) => {
  if (event.rawPath === '/health') return { statusCode: 200, body: JSON.stringify({ status: 'ok' }) };
  return { statusCode: 404, body: JSON.stringify({ message: 'not found' }) };
};
