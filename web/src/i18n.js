// Interface strings in English, Arabic and Kurmanji (Latin script). Arabic
// turns the page right-to-left. The choice is kept in this browser.
const strings = {
  en: {
    recent_decisions: 'Recent decisions',
    reset_filters: 'Clear filters',
    post_language: 'Language of the post', from_day: 'From', to_day: 'To',
    export_escalated: 'Export escalated (evidence bundle)', bundle_saved: 'Bundle saved',
    network: 'Seller network', click_node: 'Click a node for its posts.', path_from: 'Path from',
    path_to: 'Path to', find_path: 'Find path', no_path: 'Not connected.', neighbourhood: 'Its neighbourhood',
    whole_network: 'Whole network', truncated: 'truncated', reposts: 'Also posted in', variant: 'variant',
    signin: 'Sign in', user: 'Account', password: 'Password', signout: 'Sign out',
    queue: 'Review queue', registry: 'Registry', stats: 'Statistics', audit: 'Audit log',
    accounts: 'Accounts', settings: 'Settings', next: 'Take next', refresh: 'Refresh',
    category: 'Category', channel: 'Channel', any: 'any', media_match: 'has media match',
    face_candidate: 'has face candidate', unflagged: 'include unflagged posts',
    score: 'Score', time: 'Time', text: 'Text', held_by: 'Held by', empty: 'Nothing to review.',
    keys: 'Keys: j/k move, o open, c confirm, d dismiss, e escalate',
    confirm: 'Confirm', dismiss: 'Dismiss', escalate: 'Escalate', note: 'Note',
    decided: 'Decision recorded', reveal: 'Reveal', hide: 'Hide', selectors: 'Selectors',
    media: 'Media', matches: 'Hash matches', candidates: 'Registry candidates',
    confirm_match: 'Confirm match', sighting_recorded: 'Sighting recorded', decisions: 'Decisions',
    distance: 'Distance', case_code: 'Case', status: 'Status', names: 'Names', photos: 'Photos',
    history: 'Status history', sightings: 'Sightings', change_status: 'Change status',
    reason: 'Reason', save: 'Save', totals: 'Totals', posts: 'posts', flagged: 'flagged',
    confirmed_matches: 'confirmed matches', by_month: 'Flagged posts per month',
    by_status: 'Persons by status', download_csv: 'Download CSV', verify: 'Verify the chain',
    actor: 'Who', action: 'Action', details: 'Details', more: 'More', role: 'Role',
    add: 'Add', disable: 'Disable', enable: 'Enable', disabled: 'disabled', blur: 'Blur strength',
    grayscale: 'Grayscale after reveal', language: 'Language', back: 'Back to the queue',
    changes_by_month: 'Status changes per month', wrong: 'Wrong account or password',
  },
  ar: {
    recent_decisions: 'أحدث القرارات',
    reset_filters: 'مسح عوامل التصفية',
    post_language: 'لغة المنشور', from_day: 'من', to_day: 'إلى',
    export_escalated: 'تصدير المنشورات المصعّدة (حزمة أدلة)', bundle_saved: 'حُفظت الحزمة',
    network: 'شبكة البائعين', click_node: 'انقر على عقدة لعرض منشوراتها.', path_from: 'المسار من',
    path_to: 'المسار إلى', find_path: 'ابحث عن المسار', no_path: 'غير متصلين.', neighbourhood: 'جوارها',
    whole_network: 'الشبكة كلها', truncated: 'مقتطعة', reposts: 'نُشرت أيضاً في', variant: 'نسخة معدّلة',
    signin: 'تسجيل الدخول', user: 'الحساب', password: 'كلمة المرور', signout: 'تسجيل الخروج',
    queue: 'قائمة المراجعة', registry: 'السجل', stats: 'الإحصاءات', audit: 'سجل التدقيق',
    accounts: 'الحسابات', settings: 'الإعدادات', next: 'التالي', refresh: 'تحديث',
    category: 'الفئة', channel: 'القناة', any: 'الكل', media_match: 'فيه تطابق وسائط',
    face_candidate: 'فيه وجه مرشح', unflagged: 'مع المنشورات غير المعلَّمة',
    score: 'الدرجة', time: 'الوقت', text: 'النص', held_by: 'لدى', empty: 'لا شيء للمراجعة.',
    keys: 'المفاتيح: j/k للتنقل، o للفتح، c تأكيد، d رفض، e تصعيد',
    confirm: 'تأكيد', dismiss: 'رفض', escalate: 'تصعيد', note: 'ملاحظة',
    decided: 'سُجّل القرار', reveal: 'إظهار', hide: 'إخفاء', selectors: 'المعرّفات',
    media: 'الوسائط', matches: 'تطابقات البصمة', candidates: 'مرشحون من السجل',
    confirm_match: 'تأكيد التطابق', sighting_recorded: 'سُجّلت المشاهدة', decisions: 'القرارات',
    distance: 'المسافة', case_code: 'الحالة', status: 'الوضع', names: 'الأسماء', photos: 'الصور',
    history: 'تاريخ الوضع', sightings: 'المشاهدات', change_status: 'تغيير الوضع',
    reason: 'السبب', save: 'حفظ', totals: 'المجاميع', posts: 'منشورات', flagged: 'معلَّمة',
    confirmed_matches: 'تطابقات مؤكدة', by_month: 'المنشورات المعلَّمة شهريًا',
    by_status: 'الأشخاص حسب الوضع', download_csv: 'تنزيل CSV', verify: 'التحقق من السلسلة',
    actor: 'من', action: 'الإجراء', details: 'التفاصيل', more: 'المزيد', role: 'الدور',
    add: 'إضافة', disable: 'تعطيل', enable: 'تفعيل', disabled: 'معطّل', blur: 'شدة التمويه',
    grayscale: 'رمادي بعد الإظهار', language: 'اللغة', back: 'العودة إلى القائمة',
    changes_by_month: 'تغييرات الوضع شهريًا', wrong: 'الحساب أو كلمة المرور غير صحيحة',
  },
  kmr: {
    recent_decisions: 'Biryarên dawî',
    reset_filters: 'Parzûnan paqij bike',
    post_language: 'Zimanê şandiyê', from_day: 'Ji', to_day: 'Heta',
    export_escalated: 'Şandiyên bilindkirî derxe (pakêta delîlan)', bundle_saved: 'Pakêt hate tomarkirin',
    network: 'Tora firoşkaran', click_node: 'Ji bo şandiyên wê li ser girêkekê bitikîne.', path_from: 'Rê ji',
    path_to: 'Rê heta', find_path: 'Rê bibîne', no_path: 'Ne girêdayî ne.', neighbourhood: 'Derdora wê',
    whole_network: 'Hemû tor', truncated: 'kurtkirî', reposts: 'Herwiha hate weşandin li', variant: 'guhertoya',
    signin: 'Têkeve', user: 'Hesab', password: 'Şîfre', signout: 'Derkeve',
    queue: 'Rêza venêrînê', registry: 'Tomar', stats: 'Statîstîk', audit: 'Tomara kontrolê',
    accounts: 'Hesab', settings: 'Mîheng', next: 'Yê din bigire', refresh: 'Nû bike',
    category: 'Kategorî', channel: 'Kanal', any: 'hemû', media_match: 'hevhatina medyayê heye',
    face_candidate: 'berendamê rû heye', unflagged: 'şandiyên nîşannekirî jî',
    score: 'Pûan', time: 'Dem', text: 'Nivîs', held_by: 'Li cem', empty: 'Tiştek ji bo venêrînê tune.',
    keys: 'Bişkok: j/k bimeşe, o veke, c bipejirîne, d red bike, e bilind bike',
    confirm: 'Bipejirîne', dismiss: 'Red bike', escalate: 'Bilind bike', note: 'Not',
    decided: 'Biryar hat tomarkirin', reveal: 'Nîşan bide', hide: 'Veşêre', selectors: 'Nîşander',
    media: 'Medya', matches: 'Hevhatinên haşê', candidates: 'Berendamên tomarê',
    confirm_match: 'Hevhatinê bipejirîne', sighting_recorded: 'Dîtin hat tomarkirin',
    decisions: 'Biryar', distance: 'Dûrî', case_code: 'Doz', status: 'Rewş', names: 'Nav',
    photos: 'Wêne', history: 'Dîroka rewşê', sightings: 'Dîtin', change_status: 'Rewşê biguherîne',
    reason: 'Sedem', save: 'Tomar bike', totals: 'Giştî', posts: 'şandî', flagged: 'nîşankirî',
    confirmed_matches: 'hevhatinên pejirandî', by_month: 'Şandiyên nîşankirî her meh',
    by_status: 'Kes li gorî rewşê', download_csv: 'CSV daxe', verify: 'Zincîrê kontrol bike',
    actor: 'Kî', action: 'Kiryar', details: 'Hûrgilî', more: 'Zêdetir', role: 'Rol',
    add: 'Zêde bike', disable: 'Neçalak bike', enable: 'Çalak bike', disabled: 'neçalak',
    blur: 'Hêza şêlûbûnê', grayscale: 'Piştî nîşandanê gewr', language: 'Ziman',
    back: 'Vegere rêzê', changes_by_month: 'Guherînên rewşê her meh',
    wrong: 'Hesab an şîfre şaş e',
  },
};

export const languages = { en: 'English', ar: 'العربية', kmr: 'Kurmancî' };

let lang = localStorage.getItem('vigil.lang') || 'en';
if (!strings[lang]) lang = 'en';

export function t(key) {
  return strings[lang][key] || strings.en[key] || key;
}

export function currentLanguage() {
  return lang;
}

export function setLanguage(l) {
  if (!strings[l]) return;
  lang = l;
  localStorage.setItem('vigil.lang', l);
  applyLanguage();
}

export function applyLanguage() {
  document.documentElement.lang = lang === 'kmr' ? 'ku' : lang;
  document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
}
