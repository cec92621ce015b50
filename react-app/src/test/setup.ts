import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Pages are lazy chunks: on a busy machine the first import of one can take more than a second.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => cleanup());
