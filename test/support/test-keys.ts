/** The reporter key of the tests' scorers and fraud feedback (a deployment generates its own). */
export const TEST_REPORTER_KEY = 'reporter-key-of-the-tests-0123456789';
