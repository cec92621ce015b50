import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { AppRoutes } from '../app/App';
import { AuthProvider } from '../features/auth/AuthProvider';
import { HealthProvider } from '../lib/health';

/** Render a page inside the app's providers, at a path. */
export function renderPage(page: ReactElement, path = '/', extraRoutes: Record<string, ReactElement> = {}) {
  return render(
    <HealthProvider>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider>
          <Routes>
            <Route path={path.split(/[?#]/)[0]} element={page} />
            {Object.entries(extraRoutes).map(([p, el]) => (
              <Route key={p} path={p} element={el} />
            ))}
          </Routes>
        </AuthProvider>
      </MemoryRouter>
    </HealthProvider>,
  );
}

/** The address the app is at, for tests to read: `screen.getByTestId('location')`. */
function LocationProbe() {
  const { pathname, search, hash } = useLocation();
  return (
    <output data-testid="location" hidden>
      {pathname + search + hash}
    </output>
  );
}

/** The whole app (layout, guards, every route) at a path, as a person opening that address would see it. */
export function renderApp(path = '/') {
  return render(
    <HealthProvider>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
        <LocationProbe />
      </MemoryRouter>
    </HealthProvider>,
  );
}
