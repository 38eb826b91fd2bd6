'use strict';
// The admin's navigation sidebar starts closed, so a changelist keeps the width for its columns beside the filter
// panel at 1280 px; the « button opens it, and Django's nav_sidebar.js (deferred, so run after this) remembers
// the choice.
if (localStorage.getItem('django.admin.navSidebarIsOpen') === null) {
    localStorage.setItem('django.admin.navSidebarIsOpen', 'false');
}
