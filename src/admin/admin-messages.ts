/**
 * The languages of the admin page (the five django-synchro ships).
 *
 * @example
 * ```ts
 * createSynchroAdmin({ local, remote, authorize, locale: (req) => (req.headers['accept-language']?.startsWith('de') ? 'de' : 'en') })
 * ```
 */
export type AdminLocale = 'en' | 'pl' | 'de' | 'fr' | 'es';

/** Every admin page string in one language. Functions take already-plain values; the page escapes them. */
export interface AdminMessages {
  title: string;
  synced: string;
  noChanges: string;
  dryRun: string;
  errorOccurred: (message: string) => string;
  resetDone: string;
  status: string;
  thisNode: string;
  notAssigned: string;
  remote: string;
  noRemote: string;
  peer: string;
  lastSync: string;
  deliveredLogId: string;
  never: string;
  thisRemote: string;
  noPeers: string;
  clockSkew: string;
  clockSkewValue: (ms: number) => string;
  pendingChanges: string;
  entity: string;
  count: string;
  total: string;
  noPending: string;
  preview: string;
  synchronize: string;
  reset: string;
  recentRuns: string;
  run: string;
  runKind: Record<'preview' | 'sync' | 'reset', string>;
  runState: Record<'running' | 'done' | 'failed', string>;
  /** Headings of a two-way run's results (`bothWays`). */
  direction: Record<'there' | 'back', string>;
  started: string;
  finished: string;
  running: string;
  progress: (phase: string, done: number, total: number) => string;
  back: string;
  counts: string;
  inserted: string;
  updated: string;
  deleted: string;
  m2m: string;
  skipped: string;
  conflicts: string;
  key: string;
  decision: string;
  reason: string;
  localAt: string;
  remoteAt: string;
  skippedObjects: string;
  code: string;
  plan: string;
  action: string;
  remoteKey: string;
  morePlanRows: (count: number) => string;
  warnings: string;
  checkpoint: string;
  duration: (ms: number) => string;
  noCounts: string;
  resetTitle: string;
  resetQuestion: string;
  forgetIds: string;
  forgetIdsHint: string;
  confirmReset: string;
  cancel: string;
  forbidden: string;
  csrfRefused: string;
  notFound: string;
  methodNotAllowed: string;
  resetDisabled: string;
  alreadyRunning: string;
  serverError: string;
  hint: string;
}

const en: AdminMessages = {
  title: 'Synchronization',
  synced: 'Synchronization performed successfully.',
  noChanges: 'No changes since last synchronization.',
  dryRun: 'Preview: nothing was written.',
  // The seed's message, word for word (its spelling included).
  errorOccurred: (message) => `An error occured: ${message}`,
  resetDone: 'Synchronization has been reset.',
  status: 'Status',
  thisNode: 'This database (node)',
  notAssigned: 'not assigned yet',
  remote: 'Remote',
  noRemote: 'No remote database is configured: synchronization is not possible from this page.',
  peer: 'Remote node',
  lastSync: 'Last synchronization',
  deliveredLogId: 'Delivered up to log id',
  never: 'never',
  thisRemote: 'configured remote',
  noPeers: 'No synchronization has been performed yet.',
  clockSkew: 'Clock skew (remote − local)',
  clockSkewValue: (ms) => `${ms} ms`,
  pendingChanges: 'Pending changes',
  entity: 'Entity',
  count: 'Changes',
  total: 'Total',
  noPending: 'No pending changes.',
  preview: 'Preview',
  synchronize: 'Synchronize',
  reset: 'Reset',
  recentRuns: 'Recent runs',
  run: 'Run',
  runKind: { preview: 'Preview', sync: 'Synchronization', reset: 'Reset' },
  runState: { running: 'running', done: 'finished', failed: 'failed' },
  direction: { there: 'Sent to the remote', back: 'Received from the remote' },
  started: 'Started',
  finished: 'Finished',
  running: 'Synchronization in progress… this page refreshes by itself.',
  progress: (phase, done, total) => `${phase}: ${done} of ${total}`,
  back: 'Back to synchronization',
  counts: 'Changes per entity',
  inserted: 'Inserted',
  updated: 'Updated',
  deleted: 'Deleted',
  m2m: 'Many-to-many',
  skipped: 'Skipped',
  conflicts: 'Conflicts',
  key: 'Key',
  decision: 'Kept',
  reason: 'Reason',
  localAt: 'Local change',
  remoteAt: 'Remote change',
  skippedObjects: 'Skipped objects',
  code: 'Code',
  plan: 'Plan',
  action: 'Action',
  remoteKey: 'Remote key',
  morePlanRows: (count) => `… and ${count} more.`,
  warnings: 'Warnings',
  checkpoint: 'Checkpoint (log id)',
  duration: (ms) => `Duration: ${ms} ms`,
  noCounts: 'Nothing to do.',
  resetTitle: 'Reset synchronization',
  resetQuestion:
    'Everything logged so far will count as delivered and the log will be cleared. Changes not yet synchronized will never be sent. Continue?',
  forgetIds: 'Also forget which rows are counterparts (id map)',
  forgetIdsHint: 'Later synchronizations may then duplicate rows with generated keys.',
  confirmReset: 'Yes, reset',
  cancel: 'Cancel',
  forbidden: 'You are not allowed to see this page.',
  csrfRefused: 'The form has expired or did not come from this page. Reload the page and try again.',
  notFound: 'Page not found.',
  methodNotAllowed: 'Method not allowed.',
  resetDisabled: 'Reset is disabled.',
  alreadyRunning: 'A synchronization is already running.',
  serverError: 'Something went wrong on the server.',
  hint: 'Hint',
};

const pl: AdminMessages = {
  ...en,
  title: 'Synchronizacja',
  synced: 'Synchronizacja przeprowadzona pomyślnie.',
  noChanges: 'Brak zmian od ostatniej synchronizacji.',
  dryRun: 'Podgląd: nic nie zostało zapisane.',
  errorOccurred: (message) => `Wystąpił błąd: ${message}`,
  resetDone: 'Synchronizacja została zresetowana.',
  status: 'Stan',
  thisNode: 'Ta baza danych (węzeł)',
  notAssigned: 'jeszcze nie nadany',
  remote: 'Zdalna baza',
  noRemote: 'Nie skonfigurowano zdalnej bazy danych: synchronizacja z tej strony jest niemożliwa.',
  peer: 'Zdalny węzeł',
  lastSync: 'Ostatnia synchronizacja',
  deliveredLogId: 'Dostarczono do wpisu dziennika',
  never: 'nigdy',
  thisRemote: 'skonfigurowana zdalna baza',
  noPeers: 'Nie przeprowadzono jeszcze żadnej synchronizacji.',
  clockSkew: 'Różnica zegarów (zdalny − lokalny)',
  pendingChanges: 'Oczekujące zmiany',
  entity: 'Encja',
  count: 'Zmiany',
  total: 'Razem',
  noPending: 'Brak oczekujących zmian.',
  preview: 'Podgląd',
  synchronize: 'Synchronizuj',
  reset: 'Resetuj',
  recentRuns: 'Ostatnie uruchomienia',
  run: 'Uruchomienie',
  runKind: { preview: 'Podgląd', sync: 'Synchronizacja', reset: 'Resetowanie' },
  runState: { running: 'w toku', done: 'zakończone', failed: 'nieudane' },
  direction: { there: 'Wysłane do zdalnej bazy', back: 'Odebrane ze zdalnej bazy' },
  started: 'Rozpoczęto',
  finished: 'Zakończono',
  running: 'Synchronizacja w toku… strona odświeża się sama.',
  progress: (phase, done, total) => `${phase}: ${done} z ${total}`,
  back: 'Powrót do synchronizacji',
  counts: 'Zmiany według encji',
  inserted: 'Dodane',
  updated: 'Zmienione',
  deleted: 'Usunięte',
  m2m: 'Wiele-do-wielu',
  skipped: 'Pominięte',
  conflicts: 'Konflikty',
  key: 'Klucz',
  decision: 'Zachowano',
  reason: 'Powód',
  localAt: 'Zmiana lokalna',
  remoteAt: 'Zmiana zdalna',
  skippedObjects: 'Pominięte obiekty',
  code: 'Kod',
  plan: 'Plan',
  action: 'Działanie',
  remoteKey: 'Klucz zdalny',
  morePlanRows: (count) => `… i ${count} więcej.`,
  warnings: 'Ostrzeżenia',
  checkpoint: 'Punkt kontrolny (wpis dziennika)',
  duration: (ms) => `Czas trwania: ${ms} ms`,
  noCounts: 'Nic do zrobienia.',
  resetTitle: 'Resetowanie synchronizacji',
  resetQuestion:
    'Wszystko, co dotąd zapisano w dzienniku, zostanie uznane za dostarczone, a dziennik wyczyszczony. Niezsynchronizowane zmiany nie zostaną już wysłane. Kontynuować?',
  forgetIds: 'Zapomnij także powiązania wierszy (mapa identyfikatorów)',
  forgetIdsHint: 'Kolejne synchronizacje mogą wtedy powielić wiersze z generowanymi kluczami.',
  confirmReset: 'Tak, resetuj',
  cancel: 'Anuluj',
  forbidden: 'Nie masz dostępu do tej strony.',
  csrfRefused: 'Formularz wygasł lub nie pochodzi z tej strony. Odśwież stronę i spróbuj ponownie.',
  notFound: 'Nie znaleziono strony.',
  methodNotAllowed: 'Niedozwolona metoda.',
  resetDisabled: 'Resetowanie jest wyłączone.',
  alreadyRunning: 'Synchronizacja już trwa.',
  serverError: 'Wystąpił błąd serwera.',
  hint: 'Wskazówka',
};

const de: AdminMessages = {
  ...en,
  title: 'Synchronisation',
  synced: 'Synchronisation erfolgreich durchgeführt.',
  noChanges: 'Keine Änderungen seit der letzten Synchronisation.',
  dryRun: 'Vorschau: Es wurde nichts geschrieben.',
  errorOccurred: (message) => `Ein Fehler ist aufgetreten: ${message}`,
  resetDone: 'Die Synchronisation wurde zurückgesetzt.',
  status: 'Status',
  thisNode: 'Diese Datenbank (Knoten)',
  notAssigned: 'noch nicht vergeben',
  remote: 'Gegenstelle',
  noRemote: 'Keine entfernte Datenbank konfiguriert: Synchronisation ist von dieser Seite aus nicht möglich.',
  peer: 'Entfernter Knoten',
  lastSync: 'Letzte Synchronisation',
  deliveredLogId: 'Geliefert bis Protokoll-ID',
  never: 'nie',
  thisRemote: 'konfigurierte Gegenstelle',
  noPeers: 'Es wurde noch keine Synchronisation durchgeführt.',
  clockSkew: 'Uhrenabweichung (entfernt − lokal)',
  pendingChanges: 'Ausstehende Änderungen',
  entity: 'Entität',
  count: 'Änderungen',
  total: 'Gesamt',
  noPending: 'Keine ausstehenden Änderungen.',
  preview: 'Vorschau',
  synchronize: 'Synchronisieren',
  reset: 'Zurücksetzen',
  recentRuns: 'Letzte Läufe',
  run: 'Lauf',
  runKind: { preview: 'Vorschau', sync: 'Synchronisation', reset: 'Zurücksetzen' },
  runState: { running: 'läuft', done: 'beendet', failed: 'fehlgeschlagen' },
  direction: { there: 'An die Gegenstelle gesendet', back: 'Von der Gegenstelle empfangen' },
  started: 'Gestartet',
  finished: 'Beendet',
  running: 'Synchronisation läuft… diese Seite aktualisiert sich selbst.',
  progress: (phase, done, total) => `${phase}: ${done} von ${total}`,
  back: 'Zurück zur Synchronisation',
  counts: 'Änderungen je Entität',
  inserted: 'Eingefügt',
  updated: 'Geändert',
  deleted: 'Gelöscht',
  m2m: 'Viele-zu-viele',
  skipped: 'Übersprungen',
  conflicts: 'Konflikte',
  key: 'Schlüssel',
  decision: 'Behalten',
  reason: 'Grund',
  localAt: 'Lokale Änderung',
  remoteAt: 'Entfernte Änderung',
  skippedObjects: 'Übersprungene Objekte',
  code: 'Code',
  plan: 'Plan',
  action: 'Aktion',
  remoteKey: 'Entfernter Schlüssel',
  morePlanRows: (count) => `… und ${count} weitere.`,
  warnings: 'Warnungen',
  checkpoint: 'Prüfpunkt (Protokoll-ID)',
  duration: (ms) => `Dauer: ${ms} ms`,
  noCounts: 'Nichts zu tun.',
  resetTitle: 'Synchronisation zurücksetzen',
  resetQuestion:
    'Alles bisher Protokollierte gilt als geliefert und das Protokoll wird geleert. Noch nicht synchronisierte Änderungen werden nie gesendet. Fortfahren?',
  forgetIds: 'Auch die Zuordnung der Zeilen vergessen (ID-Tabelle)',
  forgetIdsHint: 'Spätere Synchronisationen können dann Zeilen mit generierten Schlüsseln verdoppeln.',
  confirmReset: 'Ja, zurücksetzen',
  cancel: 'Abbrechen',
  forbidden: 'Sie dürfen diese Seite nicht sehen.',
  csrfRefused:
    'Das Formular ist abgelaufen oder stammt nicht von dieser Seite. Laden Sie die Seite neu und versuchen Sie es erneut.',
  notFound: 'Seite nicht gefunden.',
  methodNotAllowed: 'Methode nicht erlaubt.',
  resetDisabled: 'Zurücksetzen ist deaktiviert.',
  alreadyRunning: 'Eine Synchronisation läuft bereits.',
  serverError: 'Auf dem Server ist ein Fehler aufgetreten.',
  hint: 'Hinweis',
};

const fr: AdminMessages = {
  ...en,
  title: 'Synchronisation',
  synced: 'Synchronisation effectuée avec succès.',
  noChanges: 'Aucune modification depuis la dernière synchronisation.',
  dryRun: 'Aperçu : rien n’a été écrit.',
  errorOccurred: (message) => `Une erreur s’est produite : ${message}`,
  resetDone: 'La synchronisation a été réinitialisée.',
  status: 'État',
  thisNode: 'Cette base de données (nœud)',
  notAssigned: 'pas encore attribué',
  remote: 'Base distante',
  noRemote: 'Aucune base distante n’est configurée : la synchronisation est impossible depuis cette page.',
  peer: 'Nœud distant',
  lastSync: 'Dernière synchronisation',
  deliveredLogId: 'Livré jusqu’à l’entrée de journal',
  never: 'jamais',
  thisRemote: 'base distante configurée',
  noPeers: 'Aucune synchronisation n’a encore été effectuée.',
  clockSkew: 'Décalage d’horloge (distante − locale)',
  pendingChanges: 'Modifications en attente',
  entity: 'Entité',
  count: 'Modifications',
  total: 'Total',
  noPending: 'Aucune modification en attente.',
  preview: 'Aperçu',
  synchronize: 'Synchroniser',
  reset: 'Réinitialiser',
  recentRuns: 'Exécutions récentes',
  run: 'Exécution',
  runKind: { preview: 'Aperçu', sync: 'Synchronisation', reset: 'Réinitialisation' },
  runState: { running: 'en cours', done: 'terminée', failed: 'échouée' },
  direction: { there: 'Envoyé à la base distante', back: 'Reçu de la base distante' },
  started: 'Début',
  finished: 'Fin',
  running: 'Synchronisation en cours… cette page se rafraîchit toute seule.',
  progress: (phase, done, total) => `${phase} : ${done} sur ${total}`,
  back: 'Retour à la synchronisation',
  counts: 'Modifications par entité',
  inserted: 'Insérés',
  updated: 'Modifiés',
  deleted: 'Supprimés',
  m2m: 'Plusieurs-à-plusieurs',
  skipped: 'Ignorés',
  conflicts: 'Conflits',
  key: 'Clé',
  decision: 'Conservé',
  reason: 'Raison',
  localAt: 'Modification locale',
  remoteAt: 'Modification distante',
  skippedObjects: 'Objets ignorés',
  code: 'Code',
  plan: 'Plan',
  action: 'Action',
  remoteKey: 'Clé distante',
  morePlanRows: (count) => `… et ${count} de plus.`,
  warnings: 'Avertissements',
  checkpoint: 'Point de reprise (entrée de journal)',
  duration: (ms) => `Durée : ${ms} ms`,
  noCounts: 'Rien à faire.',
  resetTitle: 'Réinitialiser la synchronisation',
  resetQuestion:
    'Tout ce qui a été journalisé jusqu’ici sera considéré comme livré et le journal sera vidé. Les modifications non synchronisées ne seront jamais envoyées. Continuer ?',
  forgetIds: 'Oublier aussi les correspondances de lignes (table des identifiants)',
  forgetIdsHint: 'Les synchronisations suivantes pourront alors dupliquer les lignes à clé générée.',
  confirmReset: 'Oui, réinitialiser',
  cancel: 'Annuler',
  forbidden: 'Vous n’êtes pas autorisé à voir cette page.',
  csrfRefused: 'Le formulaire a expiré ou ne vient pas de cette page. Rechargez la page et réessayez.',
  notFound: 'Page introuvable.',
  methodNotAllowed: 'Méthode non autorisée.',
  resetDisabled: 'La réinitialisation est désactivée.',
  alreadyRunning: 'Une synchronisation est déjà en cours.',
  serverError: 'Une erreur s’est produite sur le serveur.',
  hint: 'Conseil',
};

const es: AdminMessages = {
  ...en,
  title: 'Sincronización',
  synced: 'Sincronización realizada correctamente.',
  noChanges: 'No hay cambios desde la última sincronización.',
  dryRun: 'Vista previa: no se ha escrito nada.',
  errorOccurred: (message) => `Se produjo un error: ${message}`,
  resetDone: 'La sincronización se ha restablecido.',
  status: 'Estado',
  thisNode: 'Esta base de datos (nodo)',
  notAssigned: 'aún no asignado',
  remote: 'Base remota',
  noRemote: 'No hay ninguna base de datos remota configurada: no es posible sincronizar desde esta página.',
  peer: 'Nodo remoto',
  lastSync: 'Última sincronización',
  deliveredLogId: 'Entregado hasta la entrada de registro',
  never: 'nunca',
  thisRemote: 'base remota configurada',
  noPeers: 'Todavía no se ha realizado ninguna sincronización.',
  clockSkew: 'Desfase de reloj (remoto − local)',
  pendingChanges: 'Cambios pendientes',
  entity: 'Entidad',
  count: 'Cambios',
  total: 'Total',
  noPending: 'No hay cambios pendientes.',
  preview: 'Vista previa',
  synchronize: 'Sincronizar',
  reset: 'Restablecer',
  recentRuns: 'Ejecuciones recientes',
  run: 'Ejecución',
  runKind: { preview: 'Vista previa', sync: 'Sincronización', reset: 'Restablecimiento' },
  runState: { running: 'en curso', done: 'terminada', failed: 'fallida' },
  direction: { there: 'Enviado a la base remota', back: 'Recibido de la base remota' },
  started: 'Inicio',
  finished: 'Fin',
  running: 'Sincronización en curso… esta página se actualiza sola.',
  progress: (phase, done, total) => `${phase}: ${done} de ${total}`,
  back: 'Volver a la sincronización',
  counts: 'Cambios por entidad',
  inserted: 'Insertados',
  updated: 'Actualizados',
  deleted: 'Eliminados',
  m2m: 'Muchos a muchos',
  skipped: 'Omitidos',
  conflicts: 'Conflictos',
  key: 'Clave',
  decision: 'Se conservó',
  reason: 'Motivo',
  localAt: 'Cambio local',
  remoteAt: 'Cambio remoto',
  skippedObjects: 'Objetos omitidos',
  code: 'Código',
  plan: 'Plan',
  action: 'Acción',
  remoteKey: 'Clave remota',
  morePlanRows: (count) => `… y ${count} más.`,
  warnings: 'Advertencias',
  checkpoint: 'Punto de control (entrada de registro)',
  duration: (ms) => `Duración: ${ms} ms`,
  noCounts: 'Nada que hacer.',
  resetTitle: 'Restablecer la sincronización',
  resetQuestion:
    'Todo lo registrado hasta ahora se considerará entregado y el registro se vaciará. Los cambios no sincronizados no se enviarán nunca. ¿Continuar?',
  forgetIds: 'Olvidar también las correspondencias de filas (mapa de identificadores)',
  forgetIdsHint: 'Las sincronizaciones posteriores podrían duplicar filas con claves generadas.',
  confirmReset: 'Sí, restablecer',
  cancel: 'Cancelar',
  forbidden: 'No tiene permiso para ver esta página.',
  csrfRefused:
    'El formulario ha caducado o no procede de esta página. Vuelva a cargar la página e inténtelo de nuevo.',
  notFound: 'Página no encontrada.',
  methodNotAllowed: 'Método no permitido.',
  resetDisabled: 'El restablecimiento está desactivado.',
  alreadyRunning: 'Ya hay una sincronización en curso.',
  serverError: 'Se produjo un error en el servidor.',
  hint: 'Sugerencia',
};

/** The admin page's messages per locale. */
export const ADMIN_MESSAGES: Readonly<Record<AdminLocale, AdminMessages>> = { en, pl, de, fr, es };

/** The locales the admin page speaks. */
export const ADMIN_LOCALES: readonly AdminLocale[] = ['en', 'pl', 'de', 'fr', 'es'];

/**
 * The messages of `locale`.
 *
 * @example
 * ```ts
 * messagesFor('pl').synced // 'Synchronizacja przeprowadzona pomyślnie.'
 * ```
 */
export function messagesFor(locale: AdminLocale): AdminMessages {
  return ADMIN_MESSAGES[locale];
}
