import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { HealthProvider } from '../lib/health';

/** Render a page inside the app's providers, at a path. */
export function renderPage(page: ReactElement, path = '/', extraRoutes: Record<string, ReactElement> = {}) {
  return render(
    <HealthProvider>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={path.split('?')[0]} element={page} />
          {Object.entries(extraRoutes).map(([p, el]) => (
            <Route key={p} path={p} element={el} />
          ))}
        </Routes>
      </MemoryRouter>
    </HealthProvider>,
  );
}
