import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import ChatPage from '../features/chat/ChatPage'; // the landing page: no extra round trip before it shows
import { HealthProvider } from '../lib/health';
import { Layout } from './Layout';

// Every other page is its own chunk, fetched when opened.
const ImageToTextPage = lazy(() => import('../features/vision/ImageToTextPage'));
const TextToImagePage = lazy(() => import('../features/image/TextToImagePage'));
const VoicePage = lazy(() => import('../features/voice/VoicePage'));
const DashboardPage = lazy(() => import('../features/dashboard/DashboardPage'));

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>There is nothing at this address. Pick a tool from the menu.</p>
    </div>
  );
}

export function App() {
  return (
    <HealthProvider>
      <BrowserRouter>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<ChatPage />} />
            <Route path="image-to-text" element={<Suspense fallback={<PageLoading />}><ImageToTextPage /></Suspense>} />
            <Route path="text-to-image" element={<Suspense fallback={<PageLoading />}><TextToImagePage /></Suspense>} />
            <Route path="voice-to-text" element={<Suspense fallback={<PageLoading />}><VoicePage /></Suspense>} />
            <Route path="dashboard" element={<Suspense fallback={<PageLoading />}><DashboardPage /></Suspense>} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </HealthProvider>
  );
}

function PageLoading() {
  return (
    <div className="page-loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading…
    </div>
  );
}
