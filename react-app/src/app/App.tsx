import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { PageLoading } from '../components/PageLoading';
import ChatPage from '../features/chat/ChatPage'; // the landing page: no extra round trip before it shows
import { AuthProvider } from '../features/auth/AuthProvider';
import { AccountsOn, RequireAccount, RequireAdmin, SignedOutOnly } from '../features/auth/guards';
import { HealthProvider } from '../lib/health';
import { Layout } from './Layout';

// Every other page is its own chunk, fetched when opened.
const ImageToTextPage = lazy(() => import('../features/vision/ImageToTextPage'));
const TextToImagePage = lazy(() => import('../features/image/TextToImagePage'));
const VoicePage = lazy(() => import('../features/voice/VoicePage'));
const DashboardPage = lazy(() => import('../features/dashboard/DashboardPage'));
const SignInPage = lazy(() => import('../features/auth/SignInPage'));
const SetupPage = lazy(() => import('../features/auth/SetupPage'));
const SignUpPage = lazy(() => import('../features/auth/SignUpPage'));
const InvitePage = lazy(() => import('../features/auth/InvitePage'));
const ResetPage = lazy(() => import('../features/auth/ResetPage'));
const AccountPage = lazy(() => import('../features/account/AccountPage'));
const UsersPage = lazy(() => import('../features/admin/UsersPage'));
const SharedPage = lazy(() => import('../features/share/SharedPage'));

function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>There is nothing at this address. Pick a tool from the menu.</p>
    </div>
  );
}

const later = (page: ReactNode) => <Suspense fallback={<PageLoading />}>{page}</Suspense>;

/** Every page of the app and who may see it; the router around it is the caller's (tests use a MemoryRouter). */
export function AppRoutes() {
  return (
    <AuthProvider>
      <Routes>
        <Route element={<Layout />}>
          {/* A shared conversation is for anyone with the link: no sign-in, signed in or not. */}
          <Route path="shared/:id" element={later(<SharedPage />)} />
          <Route element={<AccountsOn />}>
            <Route path="invite" element={later(<InvitePage />)} />
            <Route path="reset" element={later(<ResetPage />)} />
            <Route element={<SignedOutOnly />}>
              <Route path="signin" element={later(<SignInPage />)} />
              <Route path="setup" element={later(<SetupPage />)} />
              <Route path="signup" element={later(<SignUpPage />)} />
            </Route>
          </Route>
          <Route element={<RequireAccount />}>
            <Route index element={<ChatPage />} />
            <Route path="image-to-text" element={later(<ImageToTextPage />)} />
            <Route path="text-to-image" element={later(<TextToImagePage />)} />
            <Route path="voice-to-text" element={later(<VoicePage />)} />
            <Route path="dashboard" element={later(<DashboardPage />)} />
            <Route path="account" element={later(<AccountPage />)} />
            <Route element={<RequireAdmin />}>
              <Route path="admin/users" element={later(<UsersPage />)} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Route>
        </Route>
      </Routes>
    </AuthProvider>
  );
}

export function App() {
  return (
    <HealthProvider>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </HealthProvider>
  );
}
